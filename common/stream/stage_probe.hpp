#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::stream {

/// The metrics of one stage instance. Consumer lag uses kafka_exporter's name and labels so that
/// existing dashboards and KEDA's Kafka scaler queries work unchanged.
class stage_probe {
 public:
  stage_probe(prometheus::Registry& reg, const std::string& stage, const std::string& group);

  void batch_processed(size_t in, size_t out);
  /// A transaction's changelog records (stateful stages), counted in the records out too.
  void changelog_written(size_t records);
  void committed(double seconds);
  void aborted(const std::string& reason);
  void batch_retried();
  void rebalanced(const std::string& kind, size_t partitions);
  void producer_rebuilt();
  void consumer_replaced();
  void lag(const std::string& topic, int32_t partition, int64_t records);
  void forget_partition(const std::string& topic, int32_t partition);
  void state_restored(size_t records, double seconds);
  void state_size(uint64_t bytes);

 private:
  std::string group_;
  prometheus::Counter& records_in_;
  prometheus::Counter& records_out_;
  prometheus::Counter& changelog_records_;
  prometheus::Counter& commits_;
  prometheus::Family<prometheus::Counter>& aborts_;
  prometheus::Counter& retries_;
  prometheus::Family<prometheus::Counter>& rebalances_;
  prometheus::Counter& producer_rebuilds_;
  prometheus::Counter& consumer_replacements_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Counter& restored_records_;
  prometheus::Histogram& restore_seconds_;
  prometheus::Gauge& state_bytes_;
  std::string stage_;
};

} // namespace freshet::stream
