#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/log_store.hpp"

/// Metadata cleanup: deletes `_delta_log` commits and checkpoints older than the log retention
/// (`delta.logRetentionDuration`, default 30 days), but only those before the latest checkpoint that
/// is itself older than the retention. So every version committed within the retention — and the
/// one current at its start — can still be reconstructed (that checkpoint plus the commits after
/// it); versions before that checkpoint can no longer be time-travelled to (`version_not_found`).
/// `_last_checkpoint` and newer entries are never touched.
namespace freshet::lake {

struct log_cleanup_options {
  std::optional<int64_t> retention_ms; ///< default: the table's delta.logRetentionDuration
  bool dry_run = false;
  int64_t now_ms = 0; ///< 0 = the wall clock
};

struct log_cleanup_report {
  int64_t retention_ms = 0;
  /// The checkpoint everything before goes; nullopt when no checkpoint is old enough (nothing goes).
  std::optional<int64_t> cutoff_version;
  std::vector<std::string> deleted; ///< log file names deleted (or to be, in a dry run)
};

/// `delta.logRetentionDuration` of a table's metadata (default 30 days), in ms.
[[nodiscard]] int64_t log_retention_ms(const metadata_action& m);

/// Cleans the log of a table whose latest metadata is `m` (see the namespace comment).
[[nodiscard]] result<log_cleanup_report> cleanup_log(log_store& store, const metadata_action& m,
                                                     const log_cleanup_options& options);

} // namespace freshet::lake
