#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/avro/compatibility.hpp"
#include "common/avro/schema.hpp"
#include "services/registry/records.hpp"

namespace freshet::registry {

/// One version of a subject.
struct version_info {
  int32_t version = 0;
  schema_id id{0};
  bool deleted = false; ///< soft-deleted: hidden unless asked for, still holds its id
};

/// A schema known by id.
struct stored_schema {
  schema_id id{0};
  std::string text;
  std::string identity;              ///< see `parsed_schema::identity`
  std::string type = "AVRO";
  std::optional<avro::schema> parsed; ///< empty for a text this registry cannot parse (not AVRO)
};

/// The registry's state: a materialized view of the `_schemas` topic, built by applying its records
/// in offset order. Pure data, no locking: the store that owns it serializes `apply` with readers.
///
/// Applying the same log always gives the same state, so every replica that has read a log to the
/// same offset answers the same. A log that breaks the registry's invariants (one id for two
/// schemas, two schemas under one subject version) is applied anyway, last record winning as
/// compaction would, and counted in `conflicts()`: the write protocol must keep that at zero.
class registry_state {
 public:
  void apply(const store_record& rec);

  /// Every version of `subject`, soft-deleted ones included; nullptr if the subject has none.
  [[nodiscard]] const std::map<int32_t, version_info>* versions(const std::string& subject) const;
  /// Subjects with at least one version (soft-deleted ones included), by name.
  [[nodiscard]] const std::map<std::string, std::map<int32_t, version_info>>& subjects() const { return subjects_; }
  /// The live (not soft-deleted) versions of `subject`, oldest first.
  [[nodiscard]] std::vector<version_info> live_versions(const std::string& subject) const;

  [[nodiscard]] const stored_schema* schema(schema_id id) const;
  /// The id of a schema with this identity, if any subject version (even soft-deleted) holds one.
  [[nodiscard]] std::optional<schema_id> id_of(const std::string& identity) const;
  /// The subject versions holding `id`, by subject then version.
  [[nodiscard]] std::vector<std::pair<std::string, int32_t>> usages(schema_id id) const;

  [[nodiscard]] std::optional<avro::compat_level> subject_level(const std::string& subject) const;
  [[nodiscard]] std::optional<avro::compat_level> global_level() const { return global_level_; }
  /// The subject's level, else the global one, else `fallback`.
  [[nodiscard]] avro::compat_level effective_level(const std::string& subject, avro::compat_level fallback) const;

  /// The id the next new schema gets: above every id ever handed out.
  [[nodiscard]] schema_id next_id() const { return schema_id{next_id_}; }
  /// Records that broke an invariant (see above).
  [[nodiscard]] int64_t conflicts() const { return conflicts_; }
  /// Records applied so far.
  [[nodiscard]] int64_t applied() const { return applied_; }

 private:
  void put_version(const schema_value& v);
  void drop_version(const std::string& subject, int32_t version);
  void release(schema_id id, const std::string& subject, int32_t version);

  std::map<std::string, std::map<int32_t, version_info>> subjects_;
  std::unordered_map<schema_id, stored_schema> schemas_;
  std::unordered_map<std::string, schema_id> by_identity_;
  std::unordered_map<schema_id, std::set<std::pair<std::string, int32_t>>> uses_;
  std::map<std::string, avro::compat_level> subject_levels_;
  std::optional<avro::compat_level> global_level_;
  int32_t next_id_ = 1;
  int64_t conflicts_ = 0;
  int64_t applied_ = 0;
};

} // namespace freshet::registry
