#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::config {

/// A Kafka topic the platform creates and owns. `role` is how services find it ("raw", "dlq", ...).
struct topic_spec {
  std::string role;
  std::string name;
  int32_t partitions = 1;
  std::string cleanup = "delete"; ///< "delete" or "compact"
  int64_t retention_ms = -1;      ///< -1 = broker default
};

/// A user-facing event stream: what clients publish to.
struct stream_spec {
  std::string name;
  std::string schema_file;      ///< Avro schema (.avsc), resolved against the spec's folder
  std::string key_field;        ///< partitioning key; empty = round robin
  std::string event_time_field; ///< epoch milliseconds; empty = ingest time
};

/// The declarative pipeline every service reads: topics, streams, and (later) expectations,
/// enrichments, metrics and tables. Documented in docs/pipeline-spec.md.
struct pipeline_spec {
  std::string name;
  std::string base_dir; ///< folder of the spec file; relative paths inside resolve against it
  std::string path;     ///< the spec file itself; sections owned by one stage are parsed from it there
  std::vector<topic_spec> topics;
  std::vector<stream_spec> streams;

  /// The topic with this role, or nullptr.
  [[nodiscard]] const topic_spec* topic(const std::string& role) const;
  /// The topic name for a role; throws if the spec lacks it (checked at load for required roles).
  [[nodiscard]] const std::string& topic_name(const std::string& role) const;
  [[nodiscard]] const stream_spec* stream(const std::string& name) const;
  /// A path from the spec made absolute.
  [[nodiscard]] std::string resolve(const std::string& relative) const;
};

/// Roles every pipeline must define.
inline constexpr const char* required_topic_roles[] = {"raw",     "dlq",  "valid",   "quarantine",
                                                       "enriched", "late", "rollups", "schemas"};

[[nodiscard]] result<pipeline_spec> load_pipeline_spec(const std::string& path);
[[nodiscard]] result<pipeline_spec> parse_pipeline_spec(const std::string& yaml_text, const std::string& base_dir);

} // namespace freshet::config
