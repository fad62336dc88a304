#pragma once

#include <cstdint>
#include <map>

#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"
#include "common/window/bytes.hpp"
#include "common/window/window_bounds.hpp"

namespace freshet::window {

/// The event-time watermark of one operator over the Kafka partitions assigned to it.
///
/// - A partition's watermark is the highest event time it has delivered minus the
///   out-of-orderness bound (`no_watermark` until its first event).
/// - The operator's watermark is the minimum over its assigned partitions that are not idle. A
///   partition is idle once `idle_timeout_ms` of processing time has passed since it was assigned or
///   last delivered an event; it becomes active again with its next event. When every partition is
///   idle, the highest partition watermark counts (nothing is left to wait for).
/// - The operator's watermark never goes back (a partition that wakes up behind it sends late events).
///
/// A watermark W says: events with a time < W are no longer expected. Processing time is passed in by
/// the caller (there is no hidden clock), so the tracker is deterministic and replayable; a
/// processing time older than one already seen is treated as the newer one.
/// Not thread-safe: owned by the one operator (actor) that feeds it.
class watermark_tracker {
 public:
  /// idle_timeout_ms <= 0 turns idleness off (a silent partition holds the watermark forever).
  watermark_tracker(int64_t out_of_orderness_ms, int64_t idle_timeout_ms)
    : bound_(out_of_orderness_ms), idle_timeout_(idle_timeout_ms) {}

  /// Starts waiting for `p` (a no-op when it is assigned already).
  void assign(partition_id p, int64_t now_ms);
  /// Stops waiting for `p`.
  void revoke(partition_id p, int64_t now_ms);
  /// An event of `p` (assigned on the fly if needed) with time `event_time_ms`.
  void observe(partition_id p, int64_t event_time_ms, int64_t now_ms);
  /// Processing time passes without an event: partitions may turn idle.
  void advance(int64_t now_ms);
  /// Moves the watermark to `end_of_time`: input is over and every window may close.
  void finish() { watermark_ = end_of_time; }

  [[nodiscard]] int64_t watermark() const { return watermark_; }
  /// The watermark of one partition (`no_watermark` if unknown or without events).
  [[nodiscard]] int64_t partition_watermark(partition_id p) const;
  [[nodiscard]] bool idle(partition_id p) const;
  [[nodiscard]] size_t partitions() const { return parts_.size(); }
  [[nodiscard]] int64_t now() const { return now_; }

  void encode(byte_writer& out) const;
  /// Replaces this tracker's state (its bounds stay those it was built with).
  [[nodiscard]] status decode(byte_reader& in);

 private:
  struct partition_state {
    int64_t max_event_time = no_watermark;
    int64_t last_active_ms = 0;
  };

  [[nodiscard]] int64_t watermark_of(const partition_state& s) const;
  [[nodiscard]] bool idle(const partition_state& s) const;
  void tick(int64_t now_ms);
  void recompute();

  int64_t bound_;
  int64_t idle_timeout_;
  int64_t now_ = no_watermark;
  int64_t watermark_ = no_watermark;
  std::map<int32_t, partition_state> parts_; // ordered: deterministic encoding
};

} // namespace freshet::window
