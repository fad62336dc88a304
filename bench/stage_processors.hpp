#pragma once

// The batch steps the stage benchmark runs inside the stage runtime: a pass-through, and the real
// processors of the quality gate and enrich services when this build has them.

#include <memory>
#include <string>

#include "bench/stage_common.hpp"
#include "common/stream/stage.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace freshet::bench::stage {

/// Where a run's outputs go: fresh topics per run.
struct output_topics {
  std::string out;        ///< valid / enriched / the pass-through's output
  std::string quarantine; ///< records a processor rejects (quality_gate, enrich)
};

/// One stage's batch step, and what it needs kept alive while the stage runs.
struct processor {
  stream::batch_processor fn;          ///< a stateless stage
  stream::stateful_processor stateful; ///< or a stateful one (exactly-once only: changelog + store)
  std::shared_ptr<void> keep;
  std::string description; ///< for the report
};

/// The stages the benchmark knows: "pass" (forward every record unchanged, as freshet-test-relay
/// does), "quality_gate" (freshet::quality_gate::gate over the pipeline spec's expectations, without
/// event-id dedupe, so that it runs in both modes), "quality_gate_dedupe" (the gate as the service
/// wires it when the spec declares `unique` expectations: a stateful exactly-once stage whose
/// dedupe keeps event ids in the stage state) and "enrich" (freshet::enrich::enricher with
/// table-free derived fields; see stage_enrich.cpp).
[[nodiscard]] const std::vector<std::string>& known_stages();

/// Stateful stages run exactly-once only (the runtime keeps state for no other mode).
[[nodiscard]] bool stage_is_stateful(const std::string& stage);

/// The stage whose at-least-once run an exactly-once run of `stage` is compared with: itself, or
/// for a stateful stage its stateless variant (at-least-once keeps no state).
[[nodiscard]] std::string at_least_once_counterpart(const std::string& stage);

/// True when this build links the stage's service library ("pass" is always there).
[[nodiscard]] bool processor_available(const std::string& stage);

/// Service metrics register in `metrics`. Throws when the stage cannot be built.
[[nodiscard]] processor make_processor(const options& o, const std::string& stage, const output_topics& topics,
                                       prometheus::Registry& metrics);

namespace detail {
[[nodiscard]] processor make_quality_gate(const options& o, const output_topics& topics, prometheus::Registry& metrics,
                                          bool dedupe);
[[nodiscard]] processor make_enrich(const options& o, const output_topics& topics, prometheus::Registry& metrics);
} // namespace detail

} // namespace freshet::bench::stage
