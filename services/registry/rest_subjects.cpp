// Subjects and their versions: list, register, look up, read, delete.
#include <nlohmann/json.hpp>

#include "services/registry/detail/rest_helpers.hpp"
#include "services/registry/errc.hpp"
#include "services/registry/operations.hpp"
#include "services/registry/rest_api.hpp"

namespace freshet::registry {

using detail::error_answer;
using detail::flag;
using detail::json_answer;

namespace {

bool deleted_only(const http::request& req) {
  return detail::flag(req, "deletedOnly") || detail::flag(req, "deleted_only");
}

nlohmann::json version_body(const std::string& subject, const version_info& v, const stored_schema* s) {
  nlohmann::json out{{"subject", subject}, {"version", v.version}, {"id", to_int(v.id)},
                     {"schema", s ? s->text : std::string{}}};
  if (s && s->type != "AVRO")
    out["schemaType"] = s->type;
  return out;
}

} // namespace

http::response rest_api::list_subjects(const http::request& req, const segments&) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  bool with_deleted = flag(req, "deleted");
  bool only_deleted = deleted_only(req);
  auto prefix = req.param("subjectPrefix");
  std::vector<nlohmann::json> names;
  store_.read([&](const registry_state& st) {
    for (const auto& [name, versions] : st.subjects()) {
      if (!name.starts_with(prefix))
        continue;
      bool live = false, deleted = false;
      for (const auto& [v, info] : versions)
        (info.deleted ? deleted : live) = true;
      if (only_deleted ? (deleted && !live) : (live || (with_deleted && deleted)))
        names.emplace_back(name);
    }
  });
  return json_answer(detail::page(req, names));
}

http::response rest_api::list_versions(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  bool with_deleted = flag(req, "deleted");
  bool only_deleted = deleted_only(req);
  std::vector<nlohmann::json> out;
  bool found = false;
  store_.read([&](const registry_state& st) {
    const auto* all = st.versions(subject);
    if (!all)
      return;
    for (const auto& [v, info] : *all)
      if (only_deleted ? info.deleted : (!info.deleted || with_deleted))
        out.emplace_back(v);
    found = !out.empty() || only_deleted;
  });
  if (!found)
    return error_answer(make_error(errc::subject_not_found, "Subject '" + subject + "' not found."));
  return json_answer(detail::page(req, out));
}

http::response rest_api::register_schema(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  auto parsed = detail::parse_schema_body(req.body);
  if (!parsed)
    return error_answer(parsed.err());
  registration reg;
  auto written = store_.write([&](const registry_state& st) {
    return plan_register(st, subject, *parsed, opts_.default_level, reg);
  });
  if (!written) {
    if (probe_ && written.err().code == static_cast<int>(errc::incompatible_schema))
      probe_->compatibility_rejected();
    return error_answer(written.err());
  }
  if (probe_ && reg.created)
    probe_->registered();
  return json_answer({{"id", to_int(reg.id)}});
}

http::response rest_api::lookup_schema(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  auto parsed = detail::parse_schema_body(req.body);
  if (!parsed)
    return error_answer(parsed.err());
  bool with_deleted = flag(req, "deleted");
  std::optional<nlohmann::json> hit;
  bool subject_found = false;
  store_.read([&](const registry_state& st) {
    const auto* all = st.versions(subject);
    if (!all)
      return;
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
      const auto& info = it->second;
      if (info.deleted && !with_deleted)
        continue;
      subject_found = true;
      const auto* s = st.schema(info.id);
      if (!hit && s && s->identity == parsed->identity)
        hit = version_body(subject, info, s);
    }
  });
  if (!subject_found)
    return error_answer(make_error(errc::subject_not_found, "Subject '" + subject + "' not found."));
  if (!hit)
    return error_answer(make_error(errc::schema_not_found, "Schema not found"));
  return json_answer(*hit);
}

http::response rest_api::get_version(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  auto ref = parse_version(p[3]);
  if (!ref)
    return error_answer(ref.err());
  nlohmann::json out;
  status found;
  store_.read([&](const registry_state& st) {
    auto v = resolve_version(st, subject, *ref, flag(req, "deleted"));
    if (!v) {
      found = v.err();
      return;
    }
    out = version_body(subject, *v, st.schema(v->id));
  });
  if (!found)
    return error_answer(found.err());
  return json_answer(out);
}

http::response rest_api::get_version_schema(const http::request& req, const segments& p) const {
  auto full = get_version(req, p);
  if (full.status != 200)
    return full;
  full.body = nlohmann::json::parse(full.body)["schema"].get<std::string>();
  return full;
}

http::response rest_api::get_referenced_by(const http::request& req, const segments& p) const {
  auto full = get_version(req, p);
  if (full.status != 200)
    return full;
  return json_answer(nlohmann::json::array()); // schema references are not supported: nothing refers
}

http::response rest_api::delete_subject(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  bool permanent = flag(req, "permanent");
  std::vector<int32_t> deleted;
  auto written = store_.write(
    [&](const registry_state& st) { return plan_delete_subject(st, subject, permanent, deleted); });
  if (!written)
    return error_answer(written.err());
  return json_answer(deleted);
}

http::response rest_api::delete_version(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[1];
  auto ref = parse_version(p[3]);
  if (!ref)
    return error_answer(ref.err());
  bool permanent = flag(req, "permanent");
  int32_t deleted = 0;
  auto written = store_.write(
    [&](const registry_state& st) { return plan_delete_version(st, subject, *ref, permanent, deleted); });
  if (!written)
    return error_answer(written.err());
  return json_answer(deleted);
}

} // namespace freshet::registry
