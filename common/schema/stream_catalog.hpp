#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::schema {

/// A stream's current (latest) schema.
struct stream_schema {
  std::string stream;
  std::string subject;  ///< "<stream>-value" (Confluent's TopicNameStrategy shape, per stream)
  schema_id id;         ///< 0 when the catalogue was built without a registry
  int32_t version = 0;  ///< the subject version; 0 without a registry
  avro::schema schema;
};

/// Every stream's schema at one moment. Immutable once built: share it as
/// `std::shared_ptr<const stream_catalog>` and swap in a new one to change it.
class stream_catalog {
 public:
  stream_catalog() = default;
  stream_catalog(std::vector<stream_schema> streams, bool from_registry);

  /// The stream's schema, or nullptr for a stream the pipeline does not declare (or has no schema).
  [[nodiscard]] const stream_schema* find(std::string_view stream) const;
  /// False: built from the local .avsc files (ids are 0, nothing is registered).
  [[nodiscard]] bool from_registry() const { return from_registry_; }
  [[nodiscard]] const std::vector<stream_schema>& streams() const { return streams_; }

 private:
  std::vector<stream_schema> streams_;
  bool from_registry_ = false;
};

/// The subject a stream's value schemas live under: "<stream>-value".
[[nodiscard]] std::string subject_for(std::string_view stream);

/// Reads and parses a stream's .avsc (resolved against the spec's folder).
[[nodiscard]] result<avro::schema> load_stream_schema(const config::pipeline_spec& spec,
                                                      const config::stream_spec& stream);

/// Every stream's .avsc parsed locally, with schema id 0: the fallback when no registry is
/// configured. Streams without a `schema:` are left out.
[[nodiscard]] result<stream_catalog> local_catalog(const config::pipeline_spec& spec);

} // namespace freshet::schema
