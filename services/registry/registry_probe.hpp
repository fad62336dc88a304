#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::registry {

/// The registry's metrics. Thread-safe (prometheus-cpp metrics are atomic; family lookups are locked).
class registry_probe {
 public:
  explicit registry_probe(prometheus::Registry& reg);

  /// A REST request answered; `endpoint` is the route pattern ("GET /subjects/{subject}/versions").
  void request(const std::string& endpoint, int http_status, double seconds);
  /// A new subject version was written.
  void registered();
  /// A registration or compatibility test answered "incompatible".
  void compatibility_rejected();
  /// Records of `_schemas` applied to the view, and how far the view is behind the log end.
  void view_applied(int64_t records);
  void view_lag(int64_t records);
  /// Records that broke an invariant of the registry (one id for two schemas, ...): must stay 0.
  void view_conflicts(int64_t total);
  /// A write lost the writer role to another replica (fenced) and was retried.
  void writer_fenced();
  /// The writer role was (re)acquired: `init_transactions` plus the read-to-end barrier.
  void writer_acquired();
  /// 1 once the view has read the log to its end after start.
  void ready(bool yes);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_family_;
  prometheus::Counter& registrations_;
  prometheus::Counter& rejections_;
  prometheus::Counter& applied_;
  prometheus::Gauge& lag_;
  prometheus::Gauge& conflicts_;
  prometheus::Counter& fenced_;
  prometheus::Counter& acquired_;
  prometheus::Gauge& ready_;
};

} // namespace freshet::registry
