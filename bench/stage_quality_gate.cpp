// The quality gate's real batch step, wired as services/quality-gate/application.cpp wires it:
// expectations from the pipeline spec, its probe and window monitor, and (for
// "quality_gate_dedupe") the event-id dedupe on the stage's exactly-once state, bound to the
// batch's state before the gate runs and swept after it. Compiled only when the bench links
// freshet::quality_gate_lib.
#include <memory>

#include "bench/stage_processors.hpp"
#include "common/base/clock.hpp"
#include "common/config/expectations_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "services/quality-gate/checks.hpp"
#include "services/quality-gate/gate.hpp"
#include "services/quality-gate/quality_probe.hpp"
#include "services/quality-gate/state_dedupe.hpp"
#include "services/quality-gate/window_monitor.hpp"

namespace freshet::bench::stage::detail {

namespace {

struct gate_parts {
  config::expectations_spec spec;
  std::unique_ptr<quality_gate::expectation_set> expectations;
  std::unique_ptr<quality_gate::quality_probe> probe;
  std::unique_ptr<quality_gate::window_monitor> monitor;
  std::unique_ptr<quality_gate::state_dedupe> dedupe;
  std::unique_ptr<quality_gate::gate> gate;
};

} // namespace

processor make_quality_gate(const options& o, const output_topics& topics, prometheus::Registry& metrics,
                            bool dedupe) {
  auto pipeline = take(config::load_pipeline_spec(o.pipeline_spec), "pipeline spec " + o.pipeline_spec);
  auto parts = std::make_shared<gate_parts>();
  parts->spec = take(config::load_expectations_spec(pipeline), "expectations of " + o.pipeline_spec);
  parts->expectations = std::make_unique<quality_gate::expectation_set>(
    take(quality_gate::expectation_set::compile(pipeline, parts->spec), "compile expectations"));
  parts->probe = std::make_unique<quality_gate::quality_probe>(metrics);
  // Windows are counted as in the service; nobody ticks them, as nobody reads their alerts here.
  parts->monitor = std::make_unique<quality_gate::window_monitor>(
    parts->spec, [] { return now_ms(); }, [](const quality_gate::window_result&) {});
  parts->gate = std::make_unique<quality_gate::gate>(
    *parts->expectations, quality_gate::gate_topics{topics.out, topics.quarantine}, [] { return now_ms(); });
  if (dedupe) {
    bool any_unique = false;
    for (const auto& sc : parts->expectations->streams())
      any_unique = any_unique || sc->unique.has_value();
    if (!any_unique)
      throw std::runtime_error(o.pipeline_spec + " declares no unique expectation: nothing to dedupe");
    parts->dedupe = std::make_unique<quality_gate::state_dedupe>();
  }
  parts->gate->attach(parts->probe.get(), parts->monitor->empty() ? nullptr : parts->monitor.get(),
                      parts->dedupe.get());

  processor p;
  auto* g = parts->gate.get();
  if (dedupe) {
    auto* d = parts->dedupe.get();
    p.stateful = [g, d](const std::vector<kafka::consumed_record>& batch, stream::stage_state& state) {
      d->bind(&state);
      auto out = g->process(batch);
      d->sweep(now_ms());
      return out;
    };
    p.description = "freshet::quality_gate::gate::process with the expectations of " + o.pipeline_spec +
                    " and event-id dedupe (state_dedupe) on the stage's exactly-once state (changelog + RocksDB), "
                    "as the service wires it";
  } else {
    p.fn = [g](const std::vector<kafka::consumed_record>& batch) { return g->process(batch); };
    p.description = "freshet::quality_gate::gate::process with the expectations of " + o.pipeline_spec +
                    " (JSON decode, page_view checks, window counting, routing), without dedupe";
  }
  p.keep = parts;
  return p;
}

} // namespace freshet::bench::stage::detail
