#include "common/schema/registry_client.hpp"

#include <nlohmann/json.hpp>

#include "common/schema/detail/curl_pool.hpp"
#include "common/schema/errc.hpp"

namespace freshet::schema {

namespace {

using json = nlohmann::json;

/// Turns a non-2xx answer into an error, using the registry's error_code where it sent one.
error answer_error(const detail::http_answer& a, const std::string& what) {
  auto doc = json::parse(a.body, nullptr, false);
  int code = 0;
  std::string message = a.body.substr(0, 500);
  if (doc.is_object()) {
    if (auto it = doc.find("error_code"); it != doc.end() && it->is_number_integer())
      code = it->get<int>();
    if (auto it = doc.find("message"); it != doc.end() && it->is_string())
      message = it->get<std::string>();
  }
  auto text = what + ": HTTP " + std::to_string(a.status) + (message.empty() ? "" : ": " + message);
  if (a.status >= 500 || a.status == 408 || a.status == 429)
    return make_schema_error(errc::server_error, text);
  if (a.status == 404) {
    if (code == 40402)
      return make_schema_error(errc::version_not_found, text);
    if (code == 40403)
      return make_schema_error(errc::schema_not_found, text);
    return make_schema_error(errc::subject_not_found, text);
  }
  if (a.status == 409)
    return make_schema_error(errc::incompatible, text);
  if (a.status == 422)
    return make_schema_error(errc::invalid_schema, text);
  return make_schema_error(errc::bad_request, text);
}

result<json> json_answer(result<detail::http_answer> a, const std::string& what) {
  if (!a)
    return a.err();
  if (a->status < 200 || a->status >= 300)
    return answer_error(*a, what);
  auto doc = json::parse(a->body, nullptr, false);
  if (!doc.is_object())
    return make_schema_error(errc::bad_response, what + ": the answer is not a JSON object: " + a->body.substr(0, 200));
  return doc;
}

result<registered_schema> subject_version(const json& doc, std::string_view subject, const std::string& what) {
  registered_schema r;
  r.subject = std::string{subject};
  auto id = doc.find("id");
  if (id == doc.end() || !id->is_number_integer())
    return make_schema_error(errc::bad_response, what + ": no \"id\" in " + doc.dump());
  r.id = schema_id{id->get<int32_t>()};
  if (auto v = doc.find("version"); v != doc.end() && v->is_number_integer())
    r.version = v->get<int32_t>();
  if (auto s = doc.find("subject"); s != doc.end() && s->is_string())
    r.subject = s->get<std::string>();
  if (auto s = doc.find("schema"); s != doc.end() && s->is_string())
    r.text = s->get<std::string>();
  return r;
}

} // namespace

registry_client::registry_client(client_options opts)
    : opts_(std::move(opts)), http_(std::make_unique<detail::curl_pool>(opts_.timeout_ms, opts_.connect_timeout_ms)) {
  while (!opts_.base_url.empty() && opts_.base_url.back() == '/')
    opts_.base_url.pop_back();
}

registry_client::~registry_client() = default;

result<schema_id> registry_client::register_schema(std::string_view subject, std::string_view schema_text) {
  auto what = "registering a schema under " + std::string{subject};
  std::string body = json{{"schema", schema_text}}.dump();
  auto doc = json_answer(
    http_->call("POST", opts_.base_url + "/subjects/" + detail::curl_pool::escape(subject) + "/versions", &body), what);
  if (!doc)
    return doc.err();
  auto id = doc->find("id");
  if (id == doc->end() || !id->is_number_integer())
    return make_schema_error(errc::bad_response, what + ": no \"id\" in " + doc->dump());
  return schema_id{id->get<int32_t>()};
}

result<std::string> registry_client::schema_text(schema_id id) {
  auto what = "fetching schema id " + std::to_string(id.value());
  auto doc = json_answer(http_->call("GET", opts_.base_url + "/schemas/ids/" + std::to_string(id.value()), nullptr), what);
  if (!doc)
    return doc.err();
  auto s = doc->find("schema");
  if (s == doc->end() || !s->is_string())
    return make_schema_error(errc::bad_response, what + ": no \"schema\" in " + doc->dump());
  return s->get<std::string>();
}

result<registered_schema> registry_client::lookup(std::string_view subject, std::string_view schema_text) {
  auto what = "looking up a schema under " + std::string{subject};
  std::string body = json{{"schema", schema_text}}.dump();
  auto doc = json_answer(http_->call("POST", opts_.base_url + "/subjects/" + detail::curl_pool::escape(subject), &body),
                         what);
  if (!doc)
    return doc.err();
  return subject_version(*doc, subject, what);
}

result<registered_schema> registry_client::latest(std::string_view subject) {
  auto what = "fetching the latest version of " + std::string{subject};
  auto doc = json_answer(
    http_->call("GET", opts_.base_url + "/subjects/" + detail::curl_pool::escape(subject) + "/versions/latest", nullptr),
    what);
  if (!doc)
    return doc.err();
  return subject_version(*doc, subject, what);
}

} // namespace freshet::schema
