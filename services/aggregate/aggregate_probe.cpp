#include "services/aggregate/aggregate_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::aggregate {

namespace {

template <class Builder>
auto& family(Builder b, const char* name, const char* help, prometheus::Registry& reg) {
  return b.Name(name).Help(help).Register(reg);
}

} // namespace

aggregate_probe::aggregate_probe(prometheus::Registry& reg)
    : events_(family(prometheus::BuildCounter(), "freshet_aggregate_events_total",
                     "Events per metric and outcome: on_time, late_accepted, too_late (per window they "
                     "belong to), filtered",
                     reg)),
      late_records_(family(prometheus::BuildCounter(), "freshet_aggregate_late_records_total",
                           "Events written to the late topic (one per event and metric it came too late for)", reg)),
      emissions_(family(prometheus::BuildCounter(), "freshet_aggregate_emissions_total",
                        "Rollups emitted, by metric and kind (early, final, late)", reg)),
      heartbeats_(family(prometheus::BuildCounter(), "freshet_aggregate_idle_advances_total",
                         "Watermark advances of idle partitions to the instance's watermark", reg)),
      undecodable_(family(prometheus::BuildCounter(), "freshet_aggregate_undecodable_total",
                          "Records that could not be decoded (sent to the DLQ topic)", reg)
                     .Add({})),
      time_fallback_(family(prometheus::BuildCounter(), "freshet_aggregate_event_time_fallbacks_total",
                            "Events without a usable event-time field, timed by their record timestamp", reg)
                       .Add({})),
      watermark_lag_(family(prometheus::BuildGauge(), "freshet_aggregate_watermark_lag_seconds",
                            "Processing time minus the lowest partition watermark of the metric on this instance",
                            reg)),
      open_windows_(family(prometheus::BuildGauge(), "freshet_aggregate_open_windows",
                           "Windows held in state (until end + allowed lateness)", reg)),
      rebuilds_(family(prometheus::BuildCounter(), "freshet_aggregate_operator_rebuilds_total",
                       "Partitions whose operators were rebuilt from the state store (assignment, abort)", reg)
                  .Add({})),
      rebuild_records_(family(prometheus::BuildCounter(), "freshet_aggregate_operator_rebuild_records_total",
                              "State records read to rebuild operators", reg)
                         .Add({})),
      rebuild_seconds_(family(prometheus::BuildHistogram(), "freshet_aggregate_operator_rebuild_seconds",
                              "Time to rebuild one partition's operators from the state store", reg)
                         .Add({}, metrics::latency_buckets())),
      state_resets_(family(prometheus::BuildCounter(), "freshet_aggregate_state_resets_total",
                           "Operator state dropped because the metric's definition changed", reg)),
      serving_writes_(family(prometheus::BuildCounter(), "freshet_aggregate_serving_writes_total",
                             "Committed rollups written to Redis (written) or skipped as not newer (stale)", reg)),
      serving_errors_(family(prometheus::BuildCounter(), "freshet_aggregate_serving_errors_total",
                             "Failed Redis writes (retried)", reg)
                        .Add({})),
      serving_backlog_(family(prometheus::BuildGauge(), "freshet_aggregate_serving_backlog",
                              "Committed rollups waiting to be written to Redis", reg)
                         .Add({})),
      serving_delay_(family(prometheus::BuildHistogram(), "freshet_aggregate_serving_delay_seconds",
                            "From a rollup's emission to its Redis write (commit included)", reg)
                       .Add({}, metrics::latency_buckets())) {}

void aggregate_probe::operator_progress(const std::string& metric, const window::operator_stats& before,
                                        const window::operator_stats& after, uint64_t heartbeats) {
  auto add = [&](const char* outcome, uint64_t from, uint64_t to, uint64_t minus = 0) {
    if (to > from + minus)
      events_.Add({{"metric", metric}, {"outcome", outcome}}).Increment(static_cast<double>(to - from - minus));
  };
  add("on_time", before.on_time, after.on_time);
  add("late_accepted", before.late_accepted, after.late_accepted);
  add("too_late", before.too_late, after.too_late);
  add("filtered", before.filtered, after.filtered, heartbeats);
  if (heartbeats > 0)
    heartbeats_.Add({{"metric", metric}}).Increment(static_cast<double>(heartbeats));
}

void aggregate_probe::late_record(const std::string& metric) { late_records_.Add({{"metric", metric}}).Increment(); }

void aggregate_probe::emission(const std::string& metric, const char* kind) {
  emissions_.Add({{"metric", metric}, {"kind", kind}}).Increment();
}

void aggregate_probe::undecodable() { undecodable_.Increment(); }

void aggregate_probe::event_time_fallback() { time_fallback_.Increment(); }

void aggregate_probe::watermark(const std::string& metric, double lag_seconds, size_t open_windows) {
  watermark_lag_.Add({{"metric", metric}}).Set(lag_seconds);
  open_windows_.Add({{"metric", metric}}).Set(static_cast<double>(open_windows));
}

void aggregate_probe::rebuilt(size_t records, double seconds) {
  rebuilds_.Increment();
  rebuild_records_.Increment(static_cast<double>(records));
  rebuild_seconds_.Observe(seconds);
}

void aggregate_probe::state_reset(const std::string& metric) { state_resets_.Add({{"metric", metric}}).Increment(); }

void aggregate_probe::served(size_t written, size_t stale, double oldest_delay_seconds) {
  if (written > 0)
    serving_writes_.Add({{"outcome", "written"}}).Increment(static_cast<double>(written));
  if (stale > 0)
    serving_writes_.Add({{"outcome", "stale"}}).Increment(static_cast<double>(stale));
  if (oldest_delay_seconds >= 0)
    serving_delay_.Observe(oldest_delay_seconds);
}

void aggregate_probe::serving_failed() { serving_errors_.Increment(); }

void aggregate_probe::serving_backlog(size_t rollups) { serving_backlog_.Set(static_cast<double>(rollups)); }

} // namespace freshet::aggregate
