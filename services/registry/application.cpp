#include "services/registry/application.hpp"

namespace freshet::registry {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50101"},
    {"http.listen", "0.0.0.0:8081"},
    {"metrics.listen", "0.0.0.0:9100"},
  };
}

status application::wire_up(service::runtime& rt) {
  http_ = std::make_unique<http::server>(rt.settings().get("http.listen"));
  // Confluent's registry answers its root with an empty object; clients use it as a liveness probe.
  http_->route("GET", "/", [](const http::request&) {
    http::response r;
    r.content_type = "application/vnd.schemaregistry.v1+json";
    r.body = "{}";
    return r;
  });
  FRESHET_TRY(http_->start());
  rt.on_stop("stop HTTP", [this] { http_->stop(); });
  return {};
}

} // namespace freshet::registry
