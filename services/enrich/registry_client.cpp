#include "services/enrich/registry_client.hpp"

#include <nlohmann/json.hpp>

#include "services/enrich/detail/http_post.hpp"

namespace freshet::enrich {

registry_client::registry_client(std::string base_url, int timeout_ms)
    : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {
  while (!base_url_.empty() && base_url_.back() == '/')
    base_url_.pop_back();
}

result<int32_t> registry_client::register_schema(const std::string& subject, const std::string& schema_json) {
  nlohmann::json body = {{"schema", schema_json}};
  auto answer = detail::http_post(base_url_ + "/subjects/" + subject + "/versions",
                                  "application/vnd.schemaregistry.v1+json", body.dump(), timeout_ms_);
  if (!answer)
    return answer.err();
  auto doc = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status == 200) {
    if (doc.is_object() && doc.contains("id") && doc["id"].is_number_integer())
      return doc["id"].get<int32_t>();
    return make_error(error_domain::http, 200, "registry answered 200 without an id: " + answer->body, true);
  }
  std::string message = doc.is_object() && doc.contains("message") && doc["message"].is_string()
                          ? doc["message"].get<std::string>()
                          : answer->body;
  return make_error(error_domain::http, answer->status,
                    "registry refused " + subject + " (HTTP " + std::to_string(answer->status) + "): " + message,
                    answer->status >= 500 || answer->status == 408 || answer->status == 429);
}

} // namespace freshet::enrich
