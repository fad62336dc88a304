#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/result.hpp"
#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "services/quality-gate/checks.hpp"
#include "services/quality-gate/dedupe.hpp"
#include "services/quality-gate/quality_probe.hpp"
#include "services/quality-gate/window_monitor.hpp"

namespace freshet::quality_gate {

/// Reason codes of quarantined events that no expectation produced. An expectation failure's
/// reason code is its kind ("not_null", "range", "rule", ...).
namespace reason {
inline constexpr const char* undecodable = "undecodable";       ///< no stream header, null value, or not decodable
inline constexpr const char* unknown_stream = "unknown_stream"; ///< the stream header names no declared stream
} // namespace reason

/// Headers the gate writes besides the platform's (`freshet.reason`, `freshet.message`,
/// `freshet.stage`, `freshet.source_*`). Stable: operators and readmit filter on them.
namespace gate_headers {
inline constexpr const char* failed_expectations = "freshet.failed_expectations"; ///< comma list of names
inline constexpr const char* warnings = "freshet.warnings";          ///< on valid events: warn-severity failures
inline constexpr const char* readmit_count = "freshet.readmit_count"; ///< readmit attempts that still failed
inline constexpr const char* readmitted_from = "freshet.readmitted_from"; ///< "topic/partition/offset" in quarantine
} // namespace gate_headers

/// Turns a raw record's bytes into an event: JSON today; the Avro codec plugs in here.
using decoder_fn = std::function<result<event::record>(const kafka::consumed_record&)>;
[[nodiscard]] decoder_fn json_decoder();
/// Confluent-framed Avro (by schema id) or JSON, for the stream in the record's `freshet.stream` header.
[[nodiscard]] decoder_fn stage_decoder(std::function<result<event::record>(std::string_view, std::string_view)> decode);

using clock_fn = std::function<int64_t()>;

/// One expectation that an event failed.
struct failure {
  const config::expectation_spec* spec = nullptr;
  std::string message;
};

/// What the gate decided for one event.
struct verdict {
  enum class route { valid, quarantine, drop };
  route to = route::valid;
  const stream_checks* stream = nullptr; ///< the declared stream, when the header names one
  std::optional<event::record> event;    ///< when decoded
  std::vector<std::string> reasons;      ///< distinct reason codes, in order of first failure
  std::vector<failure> failed;           ///< quarantine-severity failures, in spec order
  std::vector<failure> warned;           ///< warn-severity failures
  std::string message;                   ///< why, for undecodable / unknown_stream
  /// A retriable decode failure (the schema registry is unreachable): not a verdict on the event.
  /// `process` fails the batch (the stage aborts and polls it again); a readmit stops with it.
  std::optional<error> retry;
  int64_t reference_ms = 0;
};

struct gate_topics {
  std::string valid;
  std::string quarantine;
};

/// The gate's batch step: decode each raw event, apply its stream's expectations, and route it —
/// to the valid topic (unchanged, plus `freshet.warnings` when a warn-severity expectation failed)
/// or to the quarantine topic with its original key, bytes, timestamp and headers plus the reason
/// headers. Nothing is dropped except duplicates under a `unique` expectation of severity drop.
///
/// `judge` and the output builders are const and thread-safe (a readmit job uses them while the
/// stage runs); `process` belongs to the stage actor.
class gate {
 public:
  gate(const expectation_set& expectations, gate_topics topics, clock_fn clock, decoder_fn decoder = json_decoder());

  /// Optional collaborators; each may be null. Call before the stage starts.
  void attach(quality_probe* probe, window_monitor* monitor, dedupe_step* dedupe);

  /// The stage's batch processor: one output per input except dropped duplicates, in input order.
  /// Fails (the stage retries the batch) only when the dedupe step fails.
  [[nodiscard]] result<std::vector<kafka::outgoing_record>> process(const std::vector<kafka::consumed_record>& batch);

  /// Decodes and checks one record against the expectations (no dedupe, windows or metrics).
  [[nodiscard]] verdict judge(const kafka::consumed_record& rec) const;

  /// The event for the valid topic: the record unchanged, minus any gate headers it carried (a
  /// readmitted one), plus `freshet.warnings` and, when given, `freshet.readmitted_from`.
  [[nodiscard]] kafka::outgoing_record to_valid(const kafka::consumed_record& rec, const verdict& v,
                                                const std::string& readmitted_from = {}) const;
  /// The event for the quarantine topic. `readmit_count` > 0 marks a readmitted event that still
  /// fails: its `freshet.source_*` headers (the original raw position) are kept, not replaced.
  [[nodiscard]] kafka::outgoing_record to_quarantine(const kafka::consumed_record& rec, const verdict& v,
                                                     int readmit_count = 0) const;

  [[nodiscard]] const gate_topics& topics() const { return topics_; }

 private:
  struct stream_counters {
    std::vector<quality_probe::outcome_counters> checks; ///< aligned with stream_checks::checks
    quality_probe::outcome_counters unique;
    quality_probe::route_counters routes;
  };

  void decode(const kafka::consumed_record& rec, verdict& v) const;
  void check(const kafka::consumed_record& rec, verdict& v, std::vector<uint8_t>* outcomes) const;
  void count_quarantine(const verdict& v);

  const expectation_set& expectations_;
  gate_topics topics_;
  clock_fn clock_;
  decoder_fn decoder_;
  quality_probe* probe_ = nullptr;
  window_monitor* monitor_ = nullptr;
  dedupe_step* dedupe_ = nullptr;
  std::unordered_map<const stream_checks*, stream_counters> counters_;
  quality_probe::route_counters unknown_routes_;
};

} // namespace freshet::quality_gate
