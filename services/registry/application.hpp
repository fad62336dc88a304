#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/http/server.hpp"
#include "common/service/runtime.hpp"

namespace freshet::registry {

/// The schema registry process: the scaffold (health, metrics, orderly stop) and its REST listener.
/// The Confluent-compatible API over the `_schemas` topic is built on this listener.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::unique_ptr<http::server> http_;
};

} // namespace freshet::registry
