#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"

/// VACUUM: deletes the data files of a table that neither the current snapshot nor any version still
/// within the retention period needs, and orphans (files never committed, e.g. left by a crash)
/// older than the retention. `_delta_log` is never touched (log cleanup is `log_cleanup.hpp`).
///
/// A file is kept when: the latest snapshot has it; or a commit younger than the retention removed
/// it (the versions before that commit were current within the retention: time travel needs it),
/// or the snapshot holds its tombstone with a deletion time within the retention (commits the log
/// no longer has); or it was modified within the retention (it may be a file a writer — the sink,
/// an OPTIMIZE — has written and not committed yet). Everything else under the table root is
/// deleted, except hidden entries (names starting with `.` or `_`, other than `key=value` folders).
/// Folders are left in place: a writer may be about to create a file in an empty one.
namespace freshet::lake {

class table;

/// A retention below the table's `delta.deletedFileRetentionDuration` (default a week) risks
/// deleting files that concurrent writers or readers still use; it is refused unless `force`.
struct vacuum_options {
  std::optional<int64_t> retention_ms; ///< default: the table's deletedFileRetentionDuration
  bool dry_run = false;                ///< list what would go, delete nothing
  bool force = false;
  int64_t now_ms = 0; ///< 0 = the wall clock
};

struct vacuum_report {
  int64_t retention_ms = 0;
  int64_t read_version = -1;
  /// Relative paths deleted (or, in a dry run, to be deleted), sorted.
  std::vector<std::string> deleted;
  int64_t bytes = 0;
  int64_t removed_files = 0;  ///< of `deleted`: files whose tombstone the snapshot holds (expired)
  int64_t orphans = 0;        ///< of `deleted`: the rest (never committed, or tombstones checkpoints dropped)
  int64_t kept_for_retention = 0; ///< unreferenced files kept for the retention (tombstones, young files)
  int64_t scanned = 0;        ///< data files seen under the table root
  int64_t failed = 0;         ///< deletions the file system refused (logged; the next run retries)
  bool dry_run = false;
};

/// `delta.deletedFileRetentionDuration` of a table's metadata (default a week), in ms.
[[nodiscard]] int64_t deleted_file_retention_ms(const metadata_action& m);

/// Refreshes `t`, then vacuums it (see the namespace comment).
[[nodiscard]] result<vacuum_report> vacuum(table& t, const vacuum_options& options);

} // namespace freshet::lake
