#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/window/value.hpp"
#include "common/window/window_bounds.hpp"

namespace freshet::window {

/// Why a window result left the operator.
enum class emission_kind : uint8_t {
  early = 1, ///< a partial result (emit policy `early_every_ms`); the window is still open
  final = 2, ///< the watermark passed the window's end: the first complete result
  late = 3,  ///< a complete result again, changed by late events within the allowed lateness
};

[[nodiscard]] const char* to_string(emission_kind k);

/// One result of one window of one group. A window's emissions carry strictly increasing revisions;
/// a consumer keeps the highest revision per (metric, dims, window) and may drop lower ones
/// (Kafka redeliveries, out-of-order writes to Redis).
struct emission {
  std::string metric;
  std::vector<std::string> dims; ///< group-by values, in `metric_spec::group_by` order
  window_bounds window;
  uint64_t revision = 0;
  emission_kind kind = emission_kind::early;
  std::vector<agg_value> values;   ///< in `metric_spec::aggregations` order
  std::vector<std::string> states; ///< serialized aggregator states, when `emit.include_state`
  /// Session windows only: earlier bounds of this session (before it grew or merged with another)
  /// that consumers should delete; this result supersedes them, with a higher revision.
  std::vector<window_bounds> replaces;
  int64_t watermark_ms = no_watermark; ///< the operator's watermark when this was emitted

  [[nodiscard]] bool is_final() const { return kind != emission_kind::early; }
};

/// Why an event did not update a window.
enum class late_reason : uint8_t {
  beyond_allowed_lateness = 1, ///< the watermark had passed the window's end + allowed lateness
};

[[nodiscard]] const char* to_string(late_reason r);

/// An event (or, for hopping windows, one of its windows) that came too late: bound for
/// `events.late` with the original record bytes, which the caller attaches.
struct late_event {
  std::string metric;
  std::vector<std::string> dims;
  window_bounds window; ///< the window missed (sessions: the event's own [t, t + gap))
  int64_t event_time_ms = 0;
  int64_t watermark_ms = no_watermark;
  late_reason reason = late_reason::beyond_allowed_lateness;
};

/// What one operator call produced; the caller clears it between transactions.
struct output_batch {
  std::vector<emission> emissions;
  std::vector<late_event> late;

  void clear() {
    emissions.clear();
    late.clear();
  }
  [[nodiscard]] bool empty() const { return emissions.empty() && late.empty(); }
};

} // namespace freshet::window
