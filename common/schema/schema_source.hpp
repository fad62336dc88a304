#pragma once

#include <string>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"

namespace freshet::schema {

/// Where writer schemas are found by id: what ingest checks Avro payloads against and what
/// consumers decode with. `cached_registry` is the real one; tests and fuzz targets use a fixed map.
/// Implementations are thread-safe.
class schema_source {
 public:
  virtual ~schema_source() = default;

  /// The schema behind `id`. `errc::schema_not_found` when the id does not exist; retriable
  /// errors when that cannot be known right now.
  [[nodiscard]] virtual result<avro::schema> by_id(schema_id id) = 0;

  /// Whether the schema with `id` is one of `subject`'s versions.
  [[nodiscard]] virtual result<bool> in_subject(const std::string& subject, schema_id id) = 0;
};

} // namespace freshet::schema
