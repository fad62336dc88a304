#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/redis/client.hpp"
#include "freshet/v1/rollup.pb.h"

namespace freshet::serving {

/// The hot serving store of windowed metrics in Redis: the latest revision of every rollup
/// (one window of one group from one source partition), with a TTL.
///
/// Layout (prefix = "freshet:{pipeline}:m:{metric}"):
/// - `prefix:w:{start}:{end}` — a hash per window; field = `rollup_field(dims, partition)`, value =
///   "{revision}:{Rollup bytes}" ("{revision}:" alone is a tombstone: a session bound a merge
///   replaced). Expires `ttl_seconds` after its last write.
/// - `prefix:index` — a sorted set of "{start}:{end}" by start, and `prefix:written` the same
///   members by the time of their last write: writers drop members not written for a TTL (their
///   hash expired) from both, a bounded number per write; readers drop members whose hash is gone.
///
/// Writes are versioned: a Lua script stores a rollup only if its revision is higher than the one
/// stored under its field (tombstones included), atomically. So replaying committed results after a
/// crash, or writing them twice, or out of order, never moves a value backwards or counts it twice.
/// Writers are the aggregate service (committed results only); readers are the query service.
/// Not thread-safe (as its `redis::client`).
class metric_store {
 public:
  metric_store(redis::client& client, std::string pipeline, int64_t ttl_seconds = 86400);

  struct write_report {
    size_t written = 0; ///< stored (newer than what was there)
    size_t stale = 0;   ///< skipped: an equal or higher revision was stored already
  };

  /// Writes rollups (and, for sessions, tombstones for the bounds they replace), in few round trips.
  [[nodiscard]] result<write_report> write(std::span<const v1::Rollup> rollups);

  /// Every stored rollup of `metric` whose window starts in [from_ms, to_ms), oldest window first.
  [[nodiscard]] result<std::vector<v1::Rollup>> read(std::string_view metric, int64_t from_ms, int64_t to_ms);

  [[nodiscard]] std::string window_key(std::string_view metric, int64_t start, int64_t end) const;
  [[nodiscard]] std::string index_key(std::string_view metric) const;
  [[nodiscard]] std::string log_key(std::string_view metric) const;

 private:
  redis::client& client_;
  std::string prefix_;
  int64_t ttl_seconds_;
};

} // namespace freshet::serving
