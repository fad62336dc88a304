#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"

namespace freshet::lake {

/// One commit being prepared against the table as of `read_version` (optimistic concurrency: data
/// files are written first, then `table::commit` tries to put the log entry). Plain data; build it
/// with `table::begin()`.
struct transaction {
  int64_t read_version = -1;
  std::vector<add_action> adds;
  std::vector<remove_action> removes;
  /// Progress of applications, committed atomically with the files (one per appId at most).
  std::vector<txn_action> txns;
  /// appId -> the version this writer last saw for it (nullopt: none). A concurrent commit that sets
  /// any of these appIds, or of `txns`, is a conflict: so a `txn` works as a compare-and-set, and
  /// a zombie writer of a source partition can never overwrite its successor's progress.
  std::map<std::string, std::optional<int64_t>> expected_txns;
  /// Files this commit's result depends on (e.g. what an OPTIMIZE read): a concurrent remove of any
  /// of them is a conflict. `removes` are included implicitly.
  std::set<std::string> read_files;
  std::optional<metadata_action> metadata;
  std::optional<protocol_action> protocol;
  commit_info info; ///< operation, parameters, metrics; the timestamp is set at commit

  [[nodiscard]] bool empty() const {
    return adds.empty() && removes.empty() && txns.empty() && !metadata && !protocol;
  }
  /// Only adds of new data (what the streaming sink commits).
  [[nodiscard]] bool blind_append() const { return removes.empty() && read_files.empty() && !metadata && !protocol; }
};

/// Whether `ours` can still commit on top of a commit another writer made after our read version
/// (`winner`, at `winner_version`). Compatible: disjoint appends and disjoint txn appIds. A conflict
/// (`errc::conflict`, naming the reason) when the winner: changed the protocol or metadata; set a
/// txn appId we set or expect; removed a file we remove or read; added a path we add; or when we
/// change metadata/protocol and the winner changed any data.
[[nodiscard]] status check_conflict(const transaction& ours, int64_t winner_version, const std::vector<action>& winner);

} // namespace freshet::lake
