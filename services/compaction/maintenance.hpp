#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/table.hpp"
#include "common/parquet/options.hpp"

namespace freshet::compaction {

class maintenance_probe;

/// The `maintenance.*` settings (services/compaction/README.md).
struct maintenance_settings {
  int64_t interval_ms = 600'000;
  int64_t target_file_bytes = int64_t{128} << 20;
  /// A partition is compacted once it has this many files under the target size (z-order: files
  /// not z-ordered yet).
  size_t min_files = 8;
  bool vacuum = true;
  /// Default: each table's `delta.deletedFileRetentionDuration` (a week).
  std::optional<int64_t> vacuum_retention_ms;
  /// Allows a retention below the table's (tests, or an operator who knows no reader lags that far).
  bool vacuum_force = false;
  bool log_cleanup = true;
  parquet::writer_options parquet;
};

/// One round of maintenance over every Delta table under the lake folder, beside the live sink:
/// OPTIMIZE (or OPTIMIZE ZORDER BY the table's `zorder_by` from the spec), then VACUUM, then log
/// cleanup. Each job commits on its own table handle; a conflict with the sink (which only appends)
/// cannot happen, one with another maintainer (a second replica) makes that job give up until the
/// next round. Failures are counted and logged, never fatal.
///
/// Single-owner: the maintenance actor.
class maintenance {
 public:
  /// `zorder_by`: table folder name -> columns.
  maintenance(std::string lake_dir, std::map<std::string, std::vector<std::string>> zorder_by,
              maintenance_settings settings, maintenance_probe& probe);
  ~maintenance();

  /// Every table under the lake folder, once. Returns the number of jobs that failed.
  int run_once();

 private:
  [[nodiscard]] lake::table* open(const std::string& name);
  int maintain(const std::string& name, lake::table& t);

  std::string lake_dir_;
  std::map<std::string, std::vector<std::string>> zorder_by_;
  maintenance_settings settings_;
  maintenance_probe& probe_;
  std::map<std::string, std::unique_ptr<lake::table>> tables_;
};

/// The reason label of a failed job: the lake `errc` name (conflict, storage, ...) or "other".
[[nodiscard]] std::string failure_reason(const error& e);

} // namespace freshet::compaction
