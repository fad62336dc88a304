#pragma once

// The aggregate benchmark's workload: the metric set (a 1-minute tumbling and a 10-second hopping
// window, hop 2 s, both over 3 group-by dimensions with count, sum, avg, count_distinct and
// quantiles), clickstream-like JSON events, and an in-memory stage state for runs without Kafka.

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/kafka/record.hpp"
#include "common/stream/stage_state.hpp"
#include "services/aggregate/metric_plan.hpp"
#include "services/aggregate/serving_writer.hpp"

namespace freshet::bench::aggregate {

/// The two metrics; `early_every_ms` = 0 gives final results only. `third_dim` is the third
/// group-by field: `device` (4 values: 240 groups) or `user_id` (high cardinality: big state).
[[nodiscard]] std::vector<freshet::aggregate::metric_plan> metric_set(int64_t early_every_ms,
                                                                      const std::string& third_dim = "device",
                                                                      int64_t allowed_lateness_ms = 10'000);

struct event_options {
  int32_t partitions = 6;
  int64_t users = 50'000;
  int64_t start_ms = 0;     ///< event time of the first event
  double ms_per_event = 0.05; ///< event time advance per event (20k events per second of event time)
  int64_t jitter_ms = 2000; ///< events are up to this much out of order
};

/// Pre-generated records (so timed loops measure the service, not the generator).
class event_source {
 public:
  event_source(event_options opts, uint64_t seed);
  /// The i-th event (partition round robin), with `event_time` as record timestamp and in `ts`.
  [[nodiscard]] kafka::consumed_record record(int64_t i, const std::string& topic);
  [[nodiscard]] kafka::consumed_record record_at(int64_t i, int64_t event_time, const std::string& topic);
  /// The group-by values of the i-th event (stream, country, device).
  struct dims {
    std::string stream, country, device;
  };
  [[nodiscard]] dims dims_of(int64_t i) const;

 private:
  event_options opts_;
  std::mt19937_64 rng_;
};

/// A stage state in memory: writes apply at `commit`. For the processor-only run.
class memory_state final : public stream::stage_state {
 public:
  result<std::optional<std::string>> get(const kafka::topic_partition& in, std::string_view key) override;
  void put(const kafka::topic_partition& in, std::string_view key, std::string value) override;
  void erase(const kafka::topic_partition& in, std::string_view key) override;
  status scan(const kafka::topic_partition& in, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override;
  uint64_t generation(const kafka::topic_partition& in) const override;
  std::vector<kafka::topic_partition> held() const override { return held_; }

  void hold(kafka::topic_partition tp) { held_.push_back(std::move(tp)); }
  void commit();
  [[nodiscard]] size_t bytes() const { return bytes_; }
  [[nodiscard]] size_t entries() const { return committed_.size(); }
  /// put + erase calls so far (what the stage would write to its changelog).
  [[nodiscard]] size_t writes() const { return writes_; }

 private:
  static std::string key_of(const kafka::topic_partition& in, std::string_view key);
  std::map<std::string, std::string, std::less<>> committed_;
  std::map<std::string, std::optional<std::string>, std::less<>> pending_;
  std::vector<kafka::topic_partition> held_;
  size_t bytes_ = 0;
  size_t writes_ = 0;
};

/// A serving store that only counts (the benchmark has no Redis; serving costs are Redis's).
class null_sink final : public freshet::aggregate::serving_sink {
 public:
  result<serving::metric_store::write_report> write(std::span<const v1::Rollup> rollups) override {
    written += rollups.size();
    return serving::metric_store::write_report{rollups.size(), 0};
  }
  size_t written = 0;
};

} // namespace freshet::bench::aggregate
