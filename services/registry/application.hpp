#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/http/server.hpp"
#include "common/service/runtime.hpp"
#include "services/registry/registry_probe.hpp"
#include "services/registry/rest_api.hpp"
#include "services/registry/schema_store.hpp"

namespace freshet::registry {

class kafka_store;

/// The schema registry process: the probe, the store (the `_schemas` view, or memory), the REST
/// API on `http.listen`. Teardown: HTTP stops first (no request in flight), then the store.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::unique_ptr<registry_probe> probe_;
  std::unique_ptr<schema_store> store_;
  kafka_store* kafka_ = nullptr; ///< `store_` when it is the Kafka store
  std::unique_ptr<rest_api> api_;
  std::unique_ptr<http::server> http_;
};

} // namespace freshet::registry
