#include "services/registry/detail/rest_helpers.hpp"

#include <charconv>

#include "services/registry/errc.hpp"

namespace freshet::registry::detail {

http::response json_answer(const nlohmann::json& body, int status) {
  http::response r;
  r.status = status;
  r.content_type = content_type;
  r.body = body.dump();
  return r;
}

http::response error_answer(const error& err) {
  bool ours = err.domain == error_domain::http && err.code >= 400;
  int code = ours ? err.code : static_cast<int>(errc::store_error);
  auto r = http::json_error(http_status_of(code), code,
                            ours ? err.message : "Error in the backend datastore: " + err.describe());
  r.content_type = content_type;
  return r;
}

bool flag(const http::request& req, const std::string& name) {
  auto v = req.param(name);
  for (auto& c : v)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "true" || v == "1";
}

namespace {

int64_t int_param(const http::request& req, const std::string& name, int64_t fallback) {
  auto v = req.param(name);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc{} && end == v.data() + v.size() ? n : fallback;
}

} // namespace

nlohmann::json page(const http::request& req, const std::vector<nlohmann::json>& items) {
  auto offset = std::max<int64_t>(0, int_param(req, "offset", 0));
  auto limit = int_param(req, "limit", -1);
  auto out = nlohmann::json::array();
  for (size_t i = static_cast<size_t>(offset); i < items.size(); ++i) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit)
      break;
    out.push_back(items[i]);
  }
  return out;
}

result<nlohmann::json> parse_object_body(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object())
    return make_error(errc::bad_request, "the request body must be a JSON object");
  return j;
}

result<parsed_schema> parse_schema_body(const std::string& body) {
  auto j = parse_object_body(body);
  if (!j)
    return j.err();
  auto s = j->find("schema");
  if (s == j->end() || !s->is_string())
    return make_error(errc::invalid_schema, "Invalid schema: the body has no \"schema\" string");
  if (auto t = j->find("schemaType"); t != j->end() && !t->is_null()) {
    if (!t->is_string() || t->get<std::string>() != "AVRO")
      return make_error(errc::invalid_schema,
                        "Invalid schema type " + t->dump() + ": this registry holds AVRO schemas only");
  }
  if (auto r = j->find("references"); r != j->end() && r->is_array() && !r->empty())
    return make_error(errc::invalid_schema, "Invalid schema: schema references are not supported");
  return parse_schema(s->get<std::string>());
}

} // namespace freshet::registry::detail
