#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::ingest {

/// Ingest's metrics. Thread-safe (prometheus-cpp metrics are atomic; family lookups are locked,
/// which is why per-event outcomes are reported once per batch, summed).
class ingest_probe {
 public:
  explicit ingest_probe(prometheus::Registry& reg);

  void accepted(const std::string& stream, uint64_t n = 1);
  void rejected(const std::string& stream, const std::string& reason, uint64_t n = 1);
  void retry(const std::string& stream, const std::string& reason, uint64_t n = 1);
  /// A whole request refused before any of it was taken (overloaded, kafka_unavailable, empty_batch, batch_too_large).
  void request_refused(const std::string& reason);
  void batch_received(size_t events, size_t bytes);
  void produce_latency(double seconds);
  void queue_depth(int records);
  void inflight_bytes(int64_t bytes);

 private:
  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& retry_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Histogram& batch_size_;
  prometheus::Histogram& batch_bytes_;
  prometheus::Histogram& produce_latency_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& inflight_bytes_;
};

} // namespace freshet::ingest
