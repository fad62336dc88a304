#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"

namespace freshet::schema {

namespace detail {
class curl_pool;
}

/// A schema as a subject version holds it.
struct registered_schema {
  std::string subject;
  schema_id id;
  int32_t version = 0;
  std::string text; ///< the schema's JSON text as the registry returns it
};

struct client_options {
  std::string base_url;         ///< "http://host:port", optionally with a path prefix
  int timeout_ms = 5000;        ///< whole call
  int connect_timeout_ms = 2000;
};

/// The Confluent Schema Registry REST API, as far as Freshet uses it. No caching here (see
/// `cached_registry`): every call is one HTTP request. Thread-safe; connections are pooled.
///
/// Errors: `errc::unreachable` / `server_error` (retriable), `subject_not_found`,
/// `version_not_found`, `schema_not_found`, `incompatible` (409), `invalid_schema` (422),
/// `bad_request`, `bad_response`; the message carries the registry's own message.
class registry_client {
 public:
  explicit registry_client(client_options opts);
  ~registry_client();

  registry_client(const registry_client&) = delete;
  registry_client& operator=(const registry_client&) = delete;

  /// POST /subjects/{subject}/versions {"schema": text}: the schema's global id. Idempotent: the
  /// same schema again returns the same id without adding a version.
  [[nodiscard]] result<schema_id> register_schema(std::string_view subject, std::string_view schema_text);

  /// GET /schemas/ids/{id}: the schema text behind an id.
  [[nodiscard]] result<std::string> schema_text(schema_id id);

  /// POST /subjects/{subject} {"schema": text}: the version of `subject` holding this schema.
  /// `subject_not_found` / `schema_not_found` when the subject has no such version.
  [[nodiscard]] result<registered_schema> lookup(std::string_view subject, std::string_view schema_text);

  /// GET /subjects/{subject}/versions/latest.
  [[nodiscard]] result<registered_schema> latest(std::string_view subject);

  [[nodiscard]] const std::string& base_url() const { return opts_.base_url; }

 private:
  client_options opts_;
  std::unique_ptr<detail::curl_pool> http_;
};

} // namespace freshet::schema
