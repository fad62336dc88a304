#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/window/window_operator.hpp"

namespace freshet::aggregate {

/// The aggregate service's metrics (the stage's own — commits, lag, state size, changelog restore
/// time — come from `stream::stage_probe`). Called from the stage actor only.
class aggregate_probe {
 public:
  explicit aggregate_probe(prometheus::Registry& reg);

  /// Counter movements of one operator since the last report (`heartbeats` are subtracted from
  /// its filtered events: they are the service's, not the user's).
  void operator_progress(const std::string& metric, const window::operator_stats& before,
                         const window::operator_stats& after, uint64_t heartbeats);
  void late_record(const std::string& metric);
  void emission(const std::string& metric, const char* kind);
  void undecodable();
  void event_time_fallback();
  void watermark(const std::string& metric, double lag_seconds, size_t open_windows);
  void rebuilt(size_t records, double seconds);
  void state_reset(const std::string& metric);
  void served(size_t written, size_t stale, double oldest_delay_seconds);
  void serving_failed();
  void serving_backlog(size_t rollups);

 private:
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& late_records_;
  prometheus::Family<prometheus::Counter>& emissions_;
  prometheus::Family<prometheus::Counter>& heartbeats_;
  prometheus::Counter& undecodable_;
  prometheus::Counter& time_fallback_;
  prometheus::Family<prometheus::Gauge>& watermark_lag_;
  prometheus::Family<prometheus::Gauge>& open_windows_;
  prometheus::Counter& rebuilds_;
  prometheus::Counter& rebuild_records_;
  prometheus::Histogram& rebuild_seconds_;
  prometheus::Family<prometheus::Counter>& state_resets_;
  prometheus::Family<prometheus::Counter>& serving_writes_;
  prometheus::Counter& serving_errors_;
  prometheus::Gauge& serving_backlog_;
  prometheus::Histogram& serving_delay_;
};

} // namespace freshet::aggregate
