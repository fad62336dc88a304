#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace freshet::quality_gate {

/// The quality gate's metrics. Thread-safe: the stage, the window ticker and readmit jobs share it.
/// Hot-path counters are resolved once per stream and expectation, so counting is an atomic add.
class quality_probe {
 public:
  /// Label for events whose stream header is missing or names no declared stream.
  static constexpr const char* unknown_stream = "_unknown";

  explicit quality_probe(prometheus::Registry& reg);

  /// One expectation's outcomes: `freshet_quality_expectation_results_total{stream,expectation,outcome}`.
  struct outcome_counters {
    prometheus::Counter* pass = nullptr;
    prometheus::Counter* warn = nullptr;
    prometheus::Counter* quarantine = nullptr;
    prometheus::Counter* drop = nullptr; ///< `unique` duplicates dropped
  };
  [[nodiscard]] outcome_counters expectation(const std::string& stream, const std::string& name);

  /// Where a stream's events went: `freshet_quality_events_total{stream,outcome}`.
  struct route_counters {
    prometheus::Counter* valid = nullptr;
    prometheus::Counter* quarantine = nullptr;
    prometheus::Counter* duplicate = nullptr;
  };
  [[nodiscard]] route_counters routes(const std::string& stream);

  /// A quarantined event, once per reason code: `freshet_quality_quarantine_reasons_total{stream,reason}`.
  void quarantined(const std::string& stream, const std::string& reason);

  /// A windowed expectation's value for a closed window (gauge), and whether it raised an alert.
  void window_closed(const std::string& stream, const std::string& expectation, double value, bool alert);
  /// `delivered`, `failed` or `dropped` (queue full).
  void webhook(const std::string& outcome);
  /// Readmit outcomes: `readmitted`, `still_failing`, `skipped`.
  void readmit(const std::string& outcome, double n);
  void readmit_call(bool ok);

 private:
  prometheus::Family<prometheus::Counter>& results_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& reasons_;
  prometheus::Family<prometheus::Counter>& alerts_;
  prometheus::Family<prometheus::Gauge>& window_value_;
  prometheus::Family<prometheus::Counter>& webhook_;
  prometheus::Family<prometheus::Counter>& readmit_;
  prometheus::Family<prometheus::Counter>& readmit_calls_;
};

} // namespace freshet::quality_gate
