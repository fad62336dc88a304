#pragma once

#include <string_view>

#include "common/base/result.hpp"

namespace freshet::schema {

/// What can go wrong between Freshet and a schema registry. Errors are `freshet::error` with domain
/// `http` and `code` = one of these (numbered from 1000 so they never read as HTTP statuses).
/// Retriable ones (`unreachable`, `server_error`) may succeed later; the rest will not.
enum class errc : int {
  unreachable = 1000, ///< no connection, timeout, or a transport error: retriable
  server_error,       ///< HTTP 5xx (or 408/429): retriable
  subject_not_found,  ///< 404 with error_code 40401
  version_not_found,  ///< 404 with error_code 40402
  schema_not_found,   ///< 404 with error_code 40403 (unknown id, or schema not under the subject)
  incompatible,       ///< 409: the schema breaks the subject's compatibility level
  invalid_schema,     ///< 422 (42201): the registry refused the schema text
  bad_request,        ///< any other 4xx
  bad_response,       ///< a 2xx answer that is not the documented JSON
  unparseable_schema, ///< the registry's (or a local .avsc) schema text is not a valid Avro schema
};

/// Stable snake_case name ("schema_not_found", ...).
[[nodiscard]] const char* to_string(errc e);

/// An error of this library: domain `http`, code `e`, retriable for `unreachable` and `server_error`.
[[nodiscard]] error make_schema_error(errc e, std::string message);

/// The `errc` of an error made here, or `errc{0}` for any other error.
[[nodiscard]] errc reason_of(const error& err);

/// True for "the registry does not know this" answers (subject, version or schema not found).
[[nodiscard]] bool is_not_found(const error& err);

} // namespace freshet::schema
