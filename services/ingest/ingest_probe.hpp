#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::ingest {

/// Ingest's metrics. Thread-safe (prometheus-cpp metrics are atomic; family lookups are locked).
class ingest_probe {
 public:
  explicit ingest_probe(prometheus::Registry& reg);

  void accepted(const std::string& stream);
  void rejected(const std::string& stream, const std::string& reason);
  void retry(const std::string& stream, const std::string& reason);
  void batch_received(size_t events);
  void produce_latency(double seconds);
  void queue_depth(int records);

 private:
  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& retry_;
  prometheus::Histogram& batch_size_;
  prometheus::Histogram& produce_latency_;
  prometheus::Gauge& queue_depth_;
};

} // namespace freshet::ingest
