#pragma once

#include <string>

#include "common/base/result.hpp"

namespace freshet::registry {

/// Confluent Schema Registry error codes, the `error_code` of every error answer. A five-digit code
/// starts with its HTTP status (40401 -> 404); 409 is both. Registry errors travel as
/// `freshet::error{domain = http, code = errc}`, so `result<T>` carries them unchanged to the REST layer.
enum class errc : int {
  bad_request = 400,                           ///< the body is not the JSON the endpoint takes
  not_found = 404,                             ///< no such endpoint
  method_not_allowed = 405,
  incompatible_schema = 409,                   ///< the subject's compatibility level rejects the schema
  subject_not_found = 40401,
  version_not_found = 40402,
  schema_not_found = 40403,
  subject_soft_deleted = 40404,                ///< soft-deleted subject; permanent=true deletes it for good
  subject_not_soft_deleted = 40405,            ///< permanent delete of a subject that was not soft-deleted first
  version_soft_deleted = 40406,
  version_not_soft_deleted = 40407,
  subject_compatibility_not_configured = 40408,
  invalid_schema = 42201,
  invalid_version = 42202,
  invalid_compatibility_level = 42203,
  invalid_mode = 42204,
  store_error = 50001,                         ///< Kafka could not be written or read
  operation_timeout = 50002,                   ///< the write was not seen back in time
};

/// A registry error as a value.
[[nodiscard]] error make_error(errc code, std::string message);

/// The HTTP status of an error code (40401 -> 404, 409 -> 409, 50001 -> 500).
[[nodiscard]] int http_status_of(int error_code);

} // namespace freshet::registry
