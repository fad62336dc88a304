#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/avro/compatibility.hpp"
#include "common/http/server.hpp"
#include "services/registry/registry_probe.hpp"
#include "services/registry/schema_store.hpp"

namespace freshet::registry {

/// The Confluent Schema Registry REST API over a `schema_store`: subjects and versions, schemas by
/// id, compatibility tests, config (compatibility levels) and mode, with Confluent's content type,
/// answers and error codes. Handlers run on the HTTP server's worker threads, concurrently; all
/// state is in the store. Subject names travel as one path segment (a subject containing '/' cannot
/// be addressed: the HTTP server hands over decoded paths).
class rest_api {
 public:
  struct options {
    avro::compat_level default_level = avro::compat_level::backward; ///< when no global level is stored
    std::chrono::milliseconds ready_wait{10000}; ///< how long a request waits for the view to load
  };

  /// `probe` may be null (unit tests).
  rest_api(schema_store& store, registry_probe* probe, options opts);

  /// Answers one request (any method and path). Thread-safe.
  [[nodiscard]] http::response handle(const http::request& req) const;

  /// Routes every path and method of `server` to `handle`.
  void install(http::server& server) const;

 private:
  using segments = std::vector<std::string>;
  using handler_fn = http::response (rest_api::*)(const http::request&, const segments&) const;
  struct route {
    std::string method;
    segments pattern; ///< "{...}" matches any one segment
    handler_fn fn;
    std::string label; ///< metrics label, e.g. "GET /subjects/{subject}"
  };
  [[nodiscard]] static std::vector<route> routes();

  // Subjects and versions (rest_subjects.cpp).
  http::response list_subjects(const http::request&, const segments&) const;
  http::response lookup_schema(const http::request&, const segments&) const;
  http::response delete_subject(const http::request&, const segments&) const;
  http::response list_versions(const http::request&, const segments&) const;
  http::response register_schema(const http::request&, const segments&) const;
  http::response get_version(const http::request&, const segments&) const;
  http::response get_version_schema(const http::request&, const segments&) const;
  http::response get_referenced_by(const http::request&, const segments&) const;
  http::response delete_version(const http::request&, const segments&) const;

  // Schemas by id, compatibility, config and mode (rest_schemas.cpp).
  http::response root(const http::request&, const segments&) const;
  http::response get_schema(const http::request&, const segments&) const;
  http::response get_schema_text(const http::request&, const segments&) const;
  http::response get_schema_versions(const http::request&, const segments&) const;
  http::response get_schema_subjects(const http::request&, const segments&) const;
  http::response schema_types(const http::request&, const segments&) const;
  http::response test_compatibility(const http::request&, const segments&) const;
  http::response get_config(const http::request&, const segments&) const;
  http::response put_config(const http::request&, const segments&) const;
  http::response delete_config(const http::request&, const segments&) const;
  http::response get_mode(const http::request&, const segments&) const;
  http::response put_mode(const http::request&, const segments&) const;
  http::response contexts(const http::request&, const segments&) const;

  /// Waits for the store to be ready; an error answer if it is not.
  [[nodiscard]] status ready() const;

  schema_store& store_;
  registry_probe* probe_;
  options opts_;
  std::vector<route> routes_;
};

} // namespace freshet::registry
