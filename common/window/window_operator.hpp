#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"
#include "common/window/assigners.hpp"
#include "common/window/detail/window_state.hpp"
#include "common/window/emission.hpp"
#include "common/window/metric_spec.hpp"
#include "common/window/watermark_tracker.hpp"

namespace freshet::window {

/// One event as the operator needs it; the caller (the aggregate service) decodes the record and
/// extracts these per metric. Views must stay valid for the duration of the call only.
struct event_input {
  partition_id partition;
  int64_t event_time_ms = 0;
  std::span<const std::string_view> dims; ///< `metric_spec::group_by` order
  std::span<const field_value> values;     ///< `metric_spec::input_fields()` order
  int64_t processing_time_ms = 0;
};

/// Counters of one operator (persisted with its state). For fixed windows every (event, window)
/// pair the filter admits is exactly one of on_time, late_accepted, too_late; for sessions every
/// admitted event is.
struct operator_stats {
  uint64_t events = 0;          ///< on_event calls
  uint64_t filtered = 0;        ///< events the filter rejected
  uint64_t on_time = 0;         ///< into a window the watermark had not passed
  uint64_t late_accepted = 0;   ///< into a window past its end, within the allowed lateness
  uint64_t too_late = 0;        ///< beyond the allowed lateness: reported as late_event
  uint64_t emissions = 0;
  uint64_t windows_opened = 0;
  uint64_t windows_closed = 0;  ///< garbage-collected after end + allowed lateness
  uint64_t sessions_merged = 0; ///< sessions absorbed into another
  bool operator==(const operator_stats&) const = default;
};

/// One changelog write: upsert `key` → `value`, or delete `key` when `value` is empty.
/// The key "" holds the operator's meta record (watermarks, counters, schedule).
struct state_change {
  std::string key;
  std::optional<std::string> value;
};

/// One stored record of operator state (what RocksDB or the compacted changelog holds).
struct state_record {
  std::string key;
  std::string value;
};

struct operator_options {
  /// Record which windows changed, for `take_changes` (the RocksDB + changelog store). Off, nothing
  /// is recorded (no cost, no growth).
  bool track_changes = false;
};

/// The windowed aggregation of one metric over the partitions assigned to one consumer instance:
/// pure and deterministic — no Kafka, no clocks, no threads. The aggregate service owns one per
/// metric (in one actor), feeds it decoded events with the processing time it read them at, and
/// sends what comes out: emissions to `rollups` / Redis, late events to `events.late`.
///
/// Semantics (see README.md for the full contract):
/// - The watermark W comes from `watermark_tracker` (per partition max − out-of-orderness bound,
///   min over assigned non-idle partitions, never decreasing). Each call first updates W, then fires
///   windows W has passed, then applies the event, then emits early results if due.
/// - Tumbling/hopping: an event goes to each window [s, e) holding its time. For each: W < e: on
///   time; e <= W < e + L: late but accepted — the window's result is emitted again at once with a
///   higher revision; W >= e + L: too late — a `late_event`, the window is not touched.
/// - Sessions (gap g): an event at t is too late when W >= t + g + L; otherwise it joins (and
///   merges) every session its [t, t + g) overlaps. Sessions are kept until W >= end + L + g, which
///   guarantees an accepted event never touches a session already dropped: the sessions are exactly
///   those of the accepted events, whatever the arrival order.
/// - A window emits `final` when W >= end, then `late` for each accepted late event; `early` every
///   `early_every_ms` of processing time while it changes. It is dropped when W >= end + L
///   (sessions: + g), and later events for it are too late.
///
/// Not thread-safe: one owner (actor) calls it.
class window_operator {
 public:
  /// Validates the spec; `errc::invalid_*` if it does not hold.
  [[nodiscard]] static result<std::unique_ptr<window_operator>> create(metric_spec spec,
                                                                       operator_options options = {});

  window_operator(const window_operator&) = delete;
  window_operator& operator=(const window_operator&) = delete;

  /// Partitions handed to / taken from this instance (rebalance). A newly assigned partition holds the
  /// watermark back until its first event or its idle timeout; a revoked one stops holding it.
  void assign(std::span<const partition_id> parts, int64_t processing_time_ms, output_batch& out);
  void revoke(std::span<const partition_id> parts, int64_t processing_time_ms, output_batch& out);

  /// One event. `errc::invalid_event` (and no state change) if dims/values do not match the spec.
  [[nodiscard]] status on_event(const event_input& e, output_batch& out);
  /// Processing time passes without events: idle timeouts and early emissions.
  void on_tick(int64_t processing_time_ms, output_batch& out);
  /// With early emission on: every window that has not emitted its final result emits an early
  /// result (with a higher revision) at the next early round, changed or not. For owners that
  /// restored this operator and cannot tell whether the last early results they committed reached
  /// their readers (the aggregate service after a crash): early results are not kept anywhere
  /// else, and this says them again. No state changes until those emissions.
  void reemit_open_windows();
  /// Input is over (bounded replays, tests): the watermark jumps to the end of time, every window
  /// emits its final result and is dropped. Later events are too late.
  void finish(int64_t processing_time_ms, output_batch& out);

  [[nodiscard]] int64_t watermark() const { return tracker_.watermark(); }
  [[nodiscard]] const watermark_tracker& tracker() const { return tracker_; }
  [[nodiscard]] const operator_stats& stats() const { return stats_; }
  [[nodiscard]] const metric_spec& spec() const { return spec_; }
  [[nodiscard]] const std::vector<std::string>& input_fields() const { return input_fields_; }
  [[nodiscard]] size_t open_windows() const { return open_windows_; }
  [[nodiscard]] size_t open_groups() const { return keys_.size(); }

  // --- State (operator_state.cpp) --------------------------------------------------------------

  /// The whole state as bytes: meta record + every window record, in key order (deterministic).
  [[nodiscard]] std::string snapshot() const;
  /// Replaces the state with a snapshot taken by an operator of the same spec (fingerprint checked).
  /// On error the operator is left empty.
  [[nodiscard]] status restore(std::string_view snapshot);
  /// Replaces the state with stored records (meta under key "" plus window records), e.g. a RocksDB
  /// scan or a replayed changelog after applying deletes.
  [[nodiscard]] status restore(std::span<const state_record> records);
  /// Appends the records changed since the last call (needs `track_changes`): window upserts and
  /// deletes in key order, then the meta record. Written to the changelog in the same transaction as
  /// the outputs of the same calls, they reproduce this operator exactly.
  void take_changes(std::vector<state_change>& out);

 private:
  window_operator(metric_spec spec, operator_options options);

  struct key_ref {
    detail::key_state* state = nullptr;
    std::string_view key;
  };

  key_ref find_or_create_key(std::span<const std::string_view> dims);
  void update(detail::window_state& w, std::span<const field_value> values);
  void apply_fixed(const event_input& e, output_batch& out);
  void apply_session(const event_input& e, output_batch& out);
  void report_late(const event_input& e, const window_bounds& w, output_batch& out);
  void open_window(key_ref k, detail::window_state& w);
  void merge_sessions(key_ref k, std::vector<std::map<int64_t, detail::window_state>::iterator>& hits,
                      const window_bounds& merged);
  void accepted(key_ref k, detail::window_state& w, std::span<const field_value> values, output_batch& out);

  void advance(output_batch& out);
  void maybe_early(int64_t processing_time_ms, output_batch& out);
  void emit(std::string_view key, const detail::key_state& ks, detail::window_state& w, emission_kind kind, output_batch& out);
  void expire(const detail::timer& t);

  [[nodiscard]] int64_t expiry_of(const window_bounds& b) const;
  void add_timers(std::string_view key, const window_bounds& b);
  void remove_timers(std::string_view key, const window_bounds& b);
  void mark_dirty(std::string_view key, detail::window_state& w);
  void clear_dirty(std::string_view key, detail::window_state& w);
  void note_changed(std::string_view key, detail::window_state& w);
  void note_erased(std::string_view key, int64_t start);

  void clear_state();
  [[nodiscard]] std::string encode_meta() const;
  [[nodiscard]] status decode_meta(std::string_view bytes);
  using record_view = std::pair<std::string_view, std::string_view>; ///< key, value
  [[nodiscard]] status restore_views(std::span<const record_view> records);
  [[nodiscard]] status restore_window(std::string_view key, std::string_view value);

  metric_spec spec_;
  operator_options options_;
  std::vector<std::string> input_fields_;
  aggregator_layout layout_; ///< declared before keys_: outlives every window's aggregators
  std::vector<int> agg_input_; ///< per aggregation: index into event values, -1 for count(*)
  bool session_;
  tumbling_assigner tumbling_;
  hopping_assigner hopping_;
  session_assigner session_assigner_;
  uint64_t fingerprint_;

  watermark_tracker tracker_;
  operator_stats stats_;
  int64_t next_early_ms_ = no_watermark; ///< processing time of the next early emission round

  std::unordered_map<std::string, detail::key_state, detail::string_hash, std::equal_to<>> keys_; ///< by encoded group key
  std::set<detail::timer> finals_;   ///< at = end: emit final when W >= at
  std::set<detail::timer> expiries_; ///< at = end + L (+ gap): drop when W >= at
  std::set<detail::timer> dirty_;    ///< windows to emit early (only with early emission)
  size_t open_windows_ = 0;
  /// Changed (true) or deleted (false) windows since the last take_changes, by (group key, start).
  std::map<std::pair<std::string, int64_t>, bool> pending_;

  std::string scratch_key_;
  std::vector<window_bounds> scratch_windows_;
};

} // namespace freshet::window
