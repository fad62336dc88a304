#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/log_store.hpp"
#include "common/lake/snapshot.hpp"

/// Reading a table's history from its `_delta_log`: snapshots (latest checkpoint at or below the
/// wanted version, then the JSON commits after it), commit timestamps, time travel, history.
namespace freshet::lake {

/// Where a commit's timestamp comes from. PROTOCOL.md: without in-commit timestamps (a writer-7
/// feature) a commit's time is its log file's modification time; like the reference implementation
/// we make those monotonic (a commit no older than its predecessor counts as predecessor + 1 ms).
/// `commit_info` uses the `commitInfo.timestamp` the writer recorded instead.
enum class timestamp_source : uint8_t { file_modification, commit_info };

/// The log files that matter, by version.
struct log_listing {
  std::map<int64_t, log_entry> commits;
  /// Complete checkpoints: the single file, or every part of a multi-part one.
  std::map<int64_t, std::vector<std::string>> checkpoints;
  [[nodiscard]] std::optional<int64_t> latest_version() const;
};

[[nodiscard]] result<log_listing> list_log(const log_store& store);

/// The table at `version` (default: the latest). `errc::not_a_table` without any commit,
/// `errc::version_not_found` for a version past the end or before what the log still holds.
/// A checkpoint that cannot be read is skipped for an older one (or a full replay).
[[nodiscard]] result<snapshot> load_snapshot(const log_store& store, std::optional<int64_t> version = {});

/// Applies commits newer than `s.version()` that the log has now; returns how many.
[[nodiscard]] result<int64_t> update_snapshot(const log_store& store, snapshot& s);

/// The parsed actions of commit `version`.
[[nodiscard]] result<std::vector<action>> read_commit(const log_store& store, int64_t version);

struct commit_time {
  int64_t version = 0;
  int64_t timestamp_ms = 0; ///< monotonic (see `timestamp_source`)
};

/// Every commit still in the log with its timestamp, oldest first.
[[nodiscard]] result<std::vector<commit_time>> commit_times(const log_store& store,
                                                            timestamp_source source = timestamp_source::file_modification);

/// Time travel by timestamp: the latest version committed at or before `timestamp_ms`;
/// `errc::version_not_found` when the earliest commit still in the log is younger.
[[nodiscard]] result<int64_t> version_at(const log_store& store, int64_t timestamp_ms,
                                         timestamp_source source = timestamp_source::file_modification);

struct history_entry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::optional<commit_info> info;
};

/// Newest first, at most `limit` entries (0 = all).
[[nodiscard]] result<std::vector<history_entry>> read_history(const log_store& store, size_t limit = 0,
                                                              timestamp_source source = timestamp_source::file_modification);

} // namespace freshet::lake
