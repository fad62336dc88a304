// Schemas by id, compatibility tests, compatibility levels (config) and mode.
#include <charconv>
#include <set>

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

result<schema_id> parse_id(const std::string& text) {
  int32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1)
    return make_error(errc::schema_not_found, "Schema " + text + " not found");
  return schema_id{n};
}

error schema_not_found(schema_id id) {
  return make_error(errc::schema_not_found, "Schema " + std::to_string(to_int(id)) + " not found");
}

error invalid_level() {
  return make_error(errc::invalid_compatibility_level,
                    "Invalid compatibility level. Valid values are none, backward, forward, full, "
                    "backward_transitive, forward_transitive, and full_transitive");
}

std::optional<std::string> subject_of(const std::vector<std::string>& p) {
  if (p.size() < 2)
    return std::nullopt;
  return p[1];
}

} // namespace

http::response rest_api::get_schema(const http::request&, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  auto id = parse_id(p[2]);
  if (!id)
    return error_answer(id.err());
  std::optional<nlohmann::json> out;
  store_.read([&](const registry_state& st) {
    if (const auto* s = st.schema(*id)) {
      out = nlohmann::json{{"schema", s->text}};
      if (s->type != "AVRO")
        (*out)["schemaType"] = s->type;
    }
  });
  if (!out)
    return error_answer(schema_not_found(*id));
  return json_answer(*out);
}

http::response rest_api::get_schema_text(const http::request& req, const segments& p) const {
  auto full = get_schema(req, p);
  if (full.status == 200)
    full.body = nlohmann::json::parse(full.body)["schema"].get<std::string>();
  return full;
}

http::response rest_api::get_schema_versions(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  auto id = parse_id(p[2]);
  if (!id)
    return error_answer(id.err());
  bool with_deleted = flag(req, "deleted");
  auto only_subject = req.param("subject");
  std::vector<nlohmann::json> out;
  bool known = false;
  store_.read([&](const registry_state& st) {
    known = st.schema(*id) != nullptr;
    for (const auto& [subject, version] : st.usages(*id)) {
      if (!only_subject.empty() && subject != only_subject)
        continue;
      const auto* vs = st.versions(subject);
      bool deleted = vs && vs->count(version) && vs->at(version).deleted;
      if (!deleted || with_deleted)
        out.push_back({{"subject", subject}, {"version", version}});
    }
  });
  if (!known)
    return error_answer(schema_not_found(*id));
  return json_answer(detail::page(req, out));
}

http::response rest_api::get_schema_subjects(const http::request& req, const segments& p) const {
  auto versions = get_schema_versions(req, p);
  if (versions.status != 200)
    return versions;
  std::set<std::string> subjects;
  for (const auto& sv : nlohmann::json::parse(versions.body))
    subjects.insert(sv["subject"].get<std::string>());
  return json_answer(subjects);
}

http::response rest_api::schema_types(const http::request&, const segments&) const {
  return json_answer(nlohmann::json::array({"AVRO"}));
}

http::response rest_api::test_compatibility(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  const auto& subject = p[2];
  std::optional<version_ref> ref;
  if (p.size() == 5) {
    auto parsed_ref = parse_version(p[4]);
    if (!parsed_ref)
      return error_answer(parsed_ref.err());
    ref = *parsed_ref;
  }
  auto parsed = detail::parse_schema_body(req.body);
  if (!parsed)
    return error_answer(parsed.err());
  compat_verdict verdict;
  status found;
  store_.read([&](const registry_state& st) {
    std::vector<version_info> against;
    if (ref) {
      auto v = resolve_version(st, subject, *ref, false);
      if (!v) {
        found = v.err();
        return;
      }
      against.push_back(*v);
    } else {
      against = st.live_versions(subject);
    }
    verdict = check_against(st, parsed->schema, st.effective_level(subject, opts_.default_level), against);
  });
  if (!found)
    return error_answer(found.err());
  if (!verdict.compatible && probe_)
    probe_->compatibility_rejected();
  nlohmann::json out{{"is_compatible", verdict.compatible}};
  if (flag(req, "verbose"))
    out["messages"] = verdict.messages;
  return json_answer(out);
}

http::response rest_api::get_config(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  auto subject = subject_of(p);
  std::optional<avro::compat_level> level;
  store_.read([&](const registry_state& st) {
    if (!subject)
      level = st.global_level().value_or(opts_.default_level);
    else if (auto own = st.subject_level(*subject))
      level = own;
    else if (flag(req, "defaultToGlobal"))
      level = st.global_level().value_or(opts_.default_level);
  });
  if (!level)
    return error_answer(make_error(errc::subject_compatibility_not_configured,
                                   "Subject '" + *subject + "' does not have subject-level compatibility configured"));
  return json_answer({{"compatibilityLevel", avro::to_string(*level)}});
}

http::response rest_api::put_config(const http::request& req, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  auto body = detail::parse_object_body(req.body);
  if (!body)
    return error_answer(body.err());
  auto c = body->find("compatibility");
  if (c == body->end())
    c = body->find("compatibilityLevel");
  if (c == body->end() || !c->is_string())
    return error_answer(invalid_level());
  auto level = avro::parse_compat_level(c->get<std::string>());
  if (!level)
    return error_answer(invalid_level());
  auto subject = subject_of(p);
  auto written = store_.write([&](const registry_state&) -> result<std::vector<store_record>> {
    return plan_set_config(subject, *level);
  });
  if (!written)
    return error_answer(written.err());
  return json_answer({{"compatibility", avro::to_string(*level)}});
}

http::response rest_api::delete_config(const http::request&, const segments& p) const {
  if (auto st = ready(); !st)
    return error_answer(st.err());
  auto subject = subject_of(p);
  avro::compat_level previous = opts_.default_level;
  auto written = store_.write(
    [&](const registry_state& st) { return plan_delete_config(st, subject, opts_.default_level, previous); });
  if (!written)
    return error_answer(written.err());
  return json_answer({{"compatibilityLevel", avro::to_string(previous)}});
}

http::response rest_api::get_mode(const http::request&, const segments&) const {
  return json_answer({{"mode", "READWRITE"}});
}

http::response rest_api::put_mode(const http::request& req, const segments&) const {
  auto body = detail::parse_object_body(req.body);
  if (!body)
    return error_answer(body.err());
  auto m = body->find("mode");
  if (m == body->end() || !m->is_string() || m->get<std::string>() != "READWRITE")
    return error_answer(make_error(errc::invalid_mode, "Invalid mode. This registry supports READWRITE only"));
  return json_answer({{"mode", "READWRITE"}});
}

http::response rest_api::contexts(const http::request&, const segments&) const {
  return json_answer(nlohmann::json::array({"."}));
}

} // namespace freshet::registry
