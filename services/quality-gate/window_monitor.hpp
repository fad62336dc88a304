#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/config/expectations_spec.hpp"
#include "common/event/record.hpp"

namespace freshet::quality_gate {

/// Distinct values, estimated from the k smallest hashes (KMV): exact below k distinct values,
/// about 3% relative error above, in constant memory whatever the window's size.
class distinct_counter {
 public:
  static constexpr size_t k = 1024;
  void add(std::string_view value);
  [[nodiscard]] double estimate() const;
  void clear() { smallest_.clear(); }

 private:
  std::set<uint64_t> smallest_;
};

/// One closed window of one windowed expectation.
struct window_result {
  const config::expectation_spec* spec = nullptr; ///< owned by the monitor
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t rows = 0;   ///< events the value is computed over
  double value = 0;   ///< the ratio or the count
  bool violated = false;
  std::string message;
};

/// Called for every judged window (violated or not), outside the monitor's lock.
using window_listener = std::function<void(const window_result&)>;

/// Windowed expectations (null_ratio, row_count, distinct_ratio) over tumbling processing-time
/// windows aligned to multiples of their length. A window is judged when the clock passes its
/// end — on `observe` or on `tick`, so a stream that falls silent still fails its row_count.
/// The window the monitor starts in is partial and never judged; ratio windows with fewer than
/// `min_rows` events are not judged either. Counts are per gate instance (its partitions).
///
/// Threading: `observe` (the stage) and `tick` (a timer thread) may run concurrently.
class window_monitor {
 public:
  window_monitor(const config::expectations_spec& spec, std::function<int64_t()> clock, window_listener listener);

  [[nodiscard]] bool empty() const { return trackers_.empty(); }
  /// Counts one decoded event of `stream`.
  void observe(std::string_view stream, const event::record& ev);
  /// Judges the windows that have ended by now.
  void tick();

 private:
  struct tracker {
    config::expectation_spec spec;
    int64_t start = 0;
    bool partial = true;
    int64_t rows = 0;
    int64_t nulls = 0;
    int64_t non_null = 0;
    distinct_counter distinct;
  };

  void roll(tracker& t, int64_t now, std::vector<window_result>& out);
  [[nodiscard]] static bool judge(const tracker& t, int64_t start, window_result& r);

  std::function<int64_t()> clock_;
  window_listener listener_;
  std::mutex mtx_;
  std::vector<tracker> trackers_;
  std::unordered_map<std::string, std::vector<size_t>> by_stream_;
};

/// The JSON body an alert webhook receives.
[[nodiscard]] std::string alert_json(const std::string& pipeline, const window_result& r);

} // namespace freshet::quality_gate
