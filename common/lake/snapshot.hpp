#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"

namespace freshet::lake {

/// The state of a table at one version (PROTOCOL.md "Action Reconciliation"): one protocol, one
/// metadata, the live files, the tombstones, and the latest `txn` per appId. Built by replaying a
/// checkpoint and the JSON commits after it (`log_replay.hpp`), and moved forward by `apply` as a
/// writer commits. A value type: copies are independent.
class snapshot {
 public:
  /// The state a checkpoint of `version` describes (its actions, reconciled).
  [[nodiscard]] static result<snapshot> from_checkpoint(int64_t version, const std::vector<action>& actions);

  /// Applies the commit of version `version()` + 1 (or version 0 to an empty snapshot).
  [[nodiscard]] status apply(int64_t version, const std::vector<action>& actions);

  /// -1 before any version is applied.
  [[nodiscard]] int64_t version() const { return version_; }
  [[nodiscard]] bool has_metadata() const { return metadata_.has_value(); }
  [[nodiscard]] const protocol_action& protocol() const { return protocol_; }
  /// Only valid when `has_metadata()` (every loaded snapshot has it).
  [[nodiscard]] const metadata_action& metadata() const { return *metadata_; }
  /// The parsed `schemaString` of the metadata.
  [[nodiscard]] const table_schema& schema() const { return schema_; }
  [[nodiscard]] const std::map<std::string, add_action>& files() const { return files_; }
  [[nodiscard]] const std::map<std::string, remove_action>& tombstones() const { return tombstones_; }
  [[nodiscard]] const std::map<std::string, txn_action>& transactions() const { return txns_; }
  /// The latest `txn` version of `app_id`, if it ever committed one.
  [[nodiscard]] std::optional<int64_t> txn_version(const std::string& app_id) const;
  /// The `commitInfo` of the commit at `version()` (absent after a checkpoint, or when not written).
  [[nodiscard]] const std::optional<commit_info>& last_commit_info() const { return last_commit_; }

  /// Sum of `numRecords` over the live files whose stats carry it; files without are counted in
  /// `files_without_stats`.
  struct totals {
    int64_t files = 0;
    int64_t bytes = 0;
    int64_t records = 0;
    int64_t files_without_stats = 0;
  };
  [[nodiscard]] totals summary() const;

  /// A reader must implement reader version `protocol().min_reader_version`; this library reads 1.
  [[nodiscard]] status check_readable() const;
  /// A writer must implement writer version `protocol().min_writer_version`; this library writes 2.
  [[nodiscard]] status check_writable() const;

 private:
  void apply_one(const action& a);

  int64_t version_ = -1;
  protocol_action protocol_;
  std::optional<metadata_action> metadata_;
  table_schema schema_;
  std::map<std::string, add_action> files_;
  std::map<std::string, remove_action> tombstones_;
  std::map<std::string, txn_action> txns_;
  std::optional<commit_info> last_commit_;
  bool metadata_dirty_ = false;
};

/// `numRecords` of an add's stats JSON, if present.
[[nodiscard]] std::optional<int64_t> num_records(const std::string& stats_json);

} // namespace freshet::lake
