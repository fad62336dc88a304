#include "services/quality-gate/quality_probe.hpp"

namespace freshet::quality_gate {

quality_probe::quality_probe(prometheus::Registry& reg)
    : results_(prometheus::BuildCounter()
                 .Name("freshet_quality_expectation_results_total")
                 .Help("Events judged by an expectation, by stream, expectation and outcome (pass, warn, quarantine, drop)")
                 .Register(reg)),
      events_(prometheus::BuildCounter()
                .Name("freshet_quality_events_total")
                .Help("Events routed by the quality gate, by stream and outcome (valid, quarantine, duplicate)")
                .Register(reg)),
      reasons_(prometheus::BuildCounter()
                 .Name("freshet_quality_quarantine_reasons_total")
                 .Help("Quarantined events by stream and reason code (an event with two reasons counts under both)")
                 .Register(reg)),
      alerts_(prometheus::BuildCounter()
                .Name("freshet_quality_alerts_total")
                .Help("Windowed expectations violated, by stream and expectation")
                .Register(reg)),
      window_value_(prometheus::BuildGauge()
                      .Name("freshet_quality_window_value")
                      .Help("The last closed window's value of a windowed expectation (ratio or count)")
                      .Register(reg)),
      webhook_(prometheus::BuildCounter()
                 .Name("freshet_quality_webhook_posts_total")
                 .Help("Alert webhook posts by outcome (delivered, failed, dropped)")
                 .Register(reg)),
      readmit_(prometheus::BuildCounter()
                 .Name("freshet_quality_readmit_events_total")
                 .Help("Quarantined events replayed by readmit, by outcome (readmitted, still_failing, skipped)")
                 .Register(reg)),
      readmit_calls_(prometheus::BuildCounter()
                       .Name("freshet_quality_readmit_calls_total")
                       .Help("Readmit calls by result (ok, failed)")
                       .Register(reg)) {}

quality_probe::outcome_counters quality_probe::expectation(const std::string& stream, const std::string& name) {
  auto at = [&](const char* outcome) {
    return &results_.Add({{"stream", stream}, {"expectation", name}, {"outcome", outcome}});
  };
  return {at("pass"), at("warn"), at("quarantine"), at("drop")};
}

quality_probe::route_counters quality_probe::routes(const std::string& stream) {
  auto at = [&](const char* outcome) { return &events_.Add({{"stream", stream}, {"outcome", outcome}}); };
  return {at("valid"), at("quarantine"), at("duplicate")};
}

void quality_probe::quarantined(const std::string& stream, const std::string& reason) {
  reasons_.Add({{"stream", stream}, {"reason", reason}}).Increment();
}

void quality_probe::window_closed(const std::string& stream, const std::string& expectation, double value,
                                  bool alert) {
  window_value_.Add({{"stream", stream}, {"expectation", expectation}}).Set(value);
  auto& alerts = alerts_.Add({{"stream", stream}, {"expectation", expectation}});
  if (alert)
    alerts.Increment();
}

void quality_probe::webhook(const std::string& outcome) {
  webhook_.Add({{"outcome", outcome}}).Increment();
}

void quality_probe::readmit(const std::string& outcome, double n) {
  readmit_.Add({{"outcome", outcome}}).Increment(n);
}

void quality_probe::readmit_call(bool ok) {
  readmit_calls_.Add({{"outcome", ok ? "ok" : "failed"}}).Increment();
}

} // namespace freshet::quality_gate
