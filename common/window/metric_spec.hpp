#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/window/aggregation_spec.hpp"
#include "common/window/value.hpp"

namespace freshet::window {

enum class window_kind : uint8_t { tumbling = 1, hopping = 2, session = 3 };

[[nodiscard]] const char* to_string(window_kind k);

/// The window of a metric. Tumbling uses size; hopping size and hop (hop <= size); session the gap.
struct window_spec {
  window_kind kind = window_kind::tumbling;
  int64_t size_ms = 60'000;
  int64_t hop_ms = 0;
  int64_t gap_ms = 0;
  /// Shifts tumbling/hopping boundaries off the epoch (e.g. time zones for daily windows).
  int64_t offset_ms = 0;
};

/// When results leave the operator.
struct emit_policy {
  /// Every this many ms of processing time, windows updated since their last emission emit an early
  /// (partial) result. 0: no early results, only the final one (and late updates).
  int64_t early_every_ms = 0;
  /// Also attach each aggregator's serialized state (mergeable bytes, see aggregator.hpp) to
  /// emissions, for serving stores that merge windows or instances.
  bool include_state = false;
};

/// A predicate over the fields of one event, given by name (see `field_row`). For now filters are
/// plain functions; the YAML expression language compiles into one later. It must be pure: the
/// same row always gives the same answer (replays and restores depend on it).
using filter_fn = std::function<bool(const field_row&)>;

/// One metric of the pipeline spec: what the `metrics:` section of the YAML will hold.
struct metric_spec {
  std::string name;
  /// Source stream (events of other streams never reach this metric's operator).
  std::string stream;
  /// The filter's source text, for display and for the state fingerprint; `filter` does the work.
  std::string filter_text;
  /// Fields the filter reads (they are added to `input_fields()`). Empty filter = every event.
  std::vector<std::string> filter_fields;
  filter_fn filter;
  std::vector<std::string> group_by;
  std::vector<aggregation_spec> aggregations;
  window_spec window;
  /// Epoch-millisecond event-time field.
  std::string event_time_field;
  /// How long after a window's end (in watermark time) late events still update it.
  int64_t allowed_lateness_ms = 0;
  /// Watermark = highest event time seen − this bound (per partition).
  int64_t out_of_orderness_ms = 0;
  /// A partition without events for this long (processing time) stops holding the watermark back;
  /// 0 disables idleness.
  int64_t idle_timeout_ms = 60'000;
  emit_policy emit;

  /// The fields each event brings to the operator, in order: filter fields, then aggregation fields
  /// (each once). `event_input::values` follows this order.
  [[nodiscard]] std::vector<std::string> input_fields() const;
};

/// Everything `window_operator::create` needs to hold: names, window shape, bounds, aggregations.
[[nodiscard]] status validate(const metric_spec& spec);

/// A stable hash of everything that shapes the operator's state (window, aggregations, group-by,
/// filter text, bounds). Restoring state written under another fingerprint is refused.
[[nodiscard]] uint64_t state_fingerprint(const metric_spec& spec);

} // namespace freshet::window
