#pragma once

#include <cstdint>
#include <string>

#include "common/base/result.hpp"

namespace freshet::enrich {

/// Registers schemas with a Confluent-compatible schema registry (`registry.url`).
///
/// Plain HTTP/1.1, one connection per call (registration happens once per stream at start).
/// Unreachable registries, timeouts and 5xx answers are retriable errors; 409 (incompatible with
/// the subject's compatibility level) and 422 (invalid schema) are not, and carry the registry's message.
class registry_client {
 public:
  /// `base_url` is "http://host:port" with an optional path prefix.
  registry_client(std::string base_url, int timeout_ms);

  /// POST /subjects/{subject}/versions with {"schema": ...}: the schema's id. Registering the same
  /// schema again returns the same id without a new version.
  [[nodiscard]] result<int32_t> register_schema(const std::string& subject, const std::string& schema_json);

 private:
  std::string base_url_;
  int timeout_ms_;
};

} // namespace freshet::enrich
