#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/redis/client.hpp"

namespace freshet::serving {

/// Event counts per stream in fixed tumbling windows, kept in Redis for the query service.
///
/// Layout (prefix = "freshet:{pipeline}:counts"): a hash per window `prefix:{window_start_ms}`
/// (field = stream, value = count) with a TTL, and a sorted set `prefix:index` of window starts.
/// Writers are the aggregate service; readers are the query service.
class count_store {
 public:
  count_store(redis::client& client, std::string pipeline, int64_t window_ms, int64_t ttl_seconds = 86400);

  struct window_count {
    int64_t window_start_ms = 0;
    std::string stream;
    int64_t count = 0;
  };

  /// The window a timestamp falls in.
  [[nodiscard]] int64_t window_start(int64_t timestamp_ms) const;

  /// Adds counts keyed by (window start, stream) in one round trip.
  [[nodiscard]] status add(const std::map<std::pair<int64_t, std::string>, int64_t>& counts);

  /// Every window starting in [from_ms, to_ms), optionally for one stream, oldest first.
  [[nodiscard]] result<std::vector<window_count>> read(int64_t from_ms, int64_t to_ms,
                                                       const std::string& stream = "");

  [[nodiscard]] int64_t window_ms() const { return window_ms_; }

 private:
  redis::client& client_;
  std::string prefix_;
  int64_t window_ms_;
  int64_t ttl_seconds_;
};

} // namespace freshet::serving
