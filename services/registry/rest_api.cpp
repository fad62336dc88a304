#include "services/registry/rest_api.hpp"

#include <nlohmann/json.hpp>

#include "services/registry/detail/rest_helpers.hpp"
#include "services/registry/errc.hpp"

namespace freshet::registry {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    auto slash = path.find('/', pos);
    auto end = slash == std::string::npos ? path.size() : slash;
    if (end > pos)
      out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segs) {
  if (pattern.size() != segs.size())
    return false;
  for (size_t i = 0; i < pattern.size(); ++i)
    if (!pattern[i].starts_with('{') && pattern[i] != segs[i])
      return false;
  return true;
}

} // namespace

rest_api::rest_api(schema_store& store, registry_probe* probe, options opts)
    : store_(store), probe_(probe), opts_(opts), routes_(routes()) {}

std::vector<rest_api::route> rest_api::routes() {
  std::vector<route> r = {
    {"GET", {}, &rest_api::root, ""},
    {"GET", {"subjects"}, &rest_api::list_subjects, ""},
    {"POST", {"subjects", "{subject}"}, &rest_api::lookup_schema, ""},
    {"DELETE", {"subjects", "{subject}"}, &rest_api::delete_subject, ""},
    {"GET", {"subjects", "{subject}", "versions"}, &rest_api::list_versions, ""},
    {"POST", {"subjects", "{subject}", "versions"}, &rest_api::register_schema, ""},
    {"GET", {"subjects", "{subject}", "versions", "{version}"}, &rest_api::get_version, ""},
    {"DELETE", {"subjects", "{subject}", "versions", "{version}"}, &rest_api::delete_version, ""},
    {"GET", {"subjects", "{subject}", "versions", "{version}", "schema"}, &rest_api::get_version_schema, ""},
    {"GET", {"subjects", "{subject}", "versions", "{version}", "referencedby"}, &rest_api::get_referenced_by, ""},
    {"GET", {"schemas", "types"}, &rest_api::schema_types, ""},
    {"GET", {"schemas", "ids", "{id}"}, &rest_api::get_schema, ""},
    {"GET", {"schemas", "ids", "{id}", "schema"}, &rest_api::get_schema_text, ""},
    {"GET", {"schemas", "ids", "{id}", "versions"}, &rest_api::get_schema_versions, ""},
    {"GET", {"schemas", "ids", "{id}", "subjects"}, &rest_api::get_schema_subjects, ""},
    {"POST", {"compatibility", "subjects", "{subject}", "versions"}, &rest_api::test_compatibility, ""},
    {"POST", {"compatibility", "subjects", "{subject}", "versions", "{version}"}, &rest_api::test_compatibility, ""},
    {"GET", {"config"}, &rest_api::get_config, ""},
    {"PUT", {"config"}, &rest_api::put_config, ""},
    {"DELETE", {"config"}, &rest_api::delete_config, ""},
    {"GET", {"config", "{subject}"}, &rest_api::get_config, ""},
    {"PUT", {"config", "{subject}"}, &rest_api::put_config, ""},
    {"DELETE", {"config", "{subject}"}, &rest_api::delete_config, ""},
    {"GET", {"mode"}, &rest_api::get_mode, ""},
    {"PUT", {"mode"}, &rest_api::put_mode, ""},
    {"GET", {"mode", "{subject}"}, &rest_api::get_mode, ""},
    {"PUT", {"mode", "{subject}"}, &rest_api::put_mode, ""},
    {"GET", {"contexts"}, &rest_api::contexts, ""},
  };
  for (auto& e : r) {
    e.label = e.method + " ";
    for (const auto& s : e.pattern)
      e.label += "/" + s;
    if (e.pattern.empty())
      e.label += "/";
  }
  return r;
}

http::response rest_api::handle(const http::request& req) const {
  auto start = std::chrono::steady_clock::now();
  auto segs = split_path(req.path);
  const route* hit = nullptr;
  bool path_known = false;
  for (const auto& r : routes_) {
    if (!matches(r.pattern, segs))
      continue;
    path_known = true;
    if (r.method == req.method) {
      hit = &r;
      break;
    }
  }
  http::response resp;
  std::string label = "unrouted";
  if (hit) {
    label = hit->label;
    resp = (this->*(hit->fn))(req, segs);
  } else if (path_known) {
    resp = detail::error_answer(make_error(errc::method_not_allowed, "HTTP 405 Method Not Allowed"));
  } else {
    resp = detail::error_answer(make_error(errc::not_found, "HTTP 404 Not Found"));
  }
  if (probe_)
    probe_->request(label, resp.status,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return resp;
}

void rest_api::install(http::server& server) const {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"})
    server.route(method, "/*", [this](const http::request& req) { return handle(req); });
}

status rest_api::ready() const {
  return store_.wait_ready(opts_.ready_wait);
}

http::response rest_api::root(const http::request&, const segments&) const {
  return detail::json_answer(nlohmann::json::object());
}

} // namespace freshet::registry
