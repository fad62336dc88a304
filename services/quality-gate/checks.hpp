#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/expectations_spec.hpp"
#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "services/quality-gate/expression.hpp"

namespace freshet::quality_gate {

/// An event as the checks see it: its decoded fields, and for names the event lacks, the metadata of
/// its Kafka record — `ingest_ts` (receipt time, `freshet.ingest_ts`), `event_id` and `stream`.
///
/// The reference time ("now" for freshness, the dedupe clock) is the receipt time when the record
/// carries one, so a replayed or readmitted record is judged as it was when it arrived; otherwise
/// the gate's clock.
class event_view final : public field_source {
 public:
  event_view(const event::record& fields, const kafka::consumed_record& raw, int64_t clock_now_ms);

  [[nodiscard]] const event::value* find(std::string_view path) const override;
  [[nodiscard]] int64_t reference_time_ms() const { return reference_ms_; }
  [[nodiscard]] const event::record& fields() const { return fields_; }

 private:
  const event::record& fields_;
  event::value ingest_ts_;
  event::value event_id_;
  event::value stream_;
  int64_t reference_ms_;
};

/// One record-level expectation, compiled (patterns and rules parsed once).
/// Immutable; `check` may run concurrently (the stage and a readmit job share the compiled set).
class record_check {
 public:
  explicit record_check(config::expectation_spec spec) : spec_(std::move(spec)) {}
  virtual ~record_check() = default;

  [[nodiscard]] const config::expectation_spec& spec() const { return spec_; }
  /// Why the event fails the expectation, or nothing when it holds.
  [[nodiscard]] virtual std::optional<std::string> check(const event_view& ev) const = 0;

 private:
  config::expectation_spec spec_;
};

/// Compiles one record-level expectation (not `unique`, not the windowed kinds).
[[nodiscard]] result<std::unique_ptr<record_check>> compile_check(const config::expectation_spec& spec);

/// A stream's record-level checks, in spec order, and its `unique` expectation if any.
struct stream_checks {
  std::string stream;
  std::vector<std::unique_ptr<record_check>> checks;
  std::optional<config::expectation_spec> unique;
};

/// Every stream of the pipeline with its compiled checks; streams without expectations have none.
class expectation_set {
 public:
  [[nodiscard]] static result<expectation_set> compile(const config::pipeline_spec& pipeline,
                                                       const config::expectations_spec& expectations);

  /// The stream's checks, or nullptr when the pipeline declares no such stream.
  [[nodiscard]] const stream_checks* find(std::string_view stream) const;
  [[nodiscard]] const std::vector<std::unique_ptr<stream_checks>>& streams() const { return streams_; }

 private:
  std::vector<std::unique_ptr<stream_checks>> streams_;
};

} // namespace freshet::quality_gate
