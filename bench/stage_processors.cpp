#include "bench/stage_processors.hpp"

#include <stdexcept>

#include "common/kafka/record.hpp"

namespace freshet::bench::stage {

const std::vector<std::string>& known_stages() {
  static const std::vector<std::string> stages{"pass", "quality_gate", "quality_gate_dedupe", "enrich"};
  return stages;
}

bool stage_is_stateful(const std::string& stage) {
  return stage == "quality_gate_dedupe";
}

std::string at_least_once_counterpart(const std::string& stage) {
  return stage == "quality_gate_dedupe" ? "quality_gate" : stage;
}

bool processor_available(const std::string& stage) {
  if (stage == "pass")
    return true;
  if (stage == "quality_gate" || stage == "quality_gate_dedupe")
    return FRESHET_STAGE_BENCH_QUALITY_GATE;
  if (stage == "enrich")
    return FRESHET_STAGE_BENCH_ENRICH;
  return false;
}

processor make_processor(const options& o, const std::string& stage, const output_topics& topics,
                         prometheus::Registry& metrics) {
  if (!processor_available(stage))
    throw std::runtime_error("stage '" + stage + "' is not built into this benchmark");
  if (stage == "quality_gate" || stage == "quality_gate_dedupe")
    return detail::make_quality_gate(o, topics, metrics, stage == "quality_gate_dedupe");
  if (stage == "enrich")
    return detail::make_enrich(o, topics, metrics);
  processor p;
  p.fn = [out = topics.out](const std::vector<kafka::consumed_record>& batch)
    -> result<std::vector<kafka::outgoing_record>> {
    std::vector<kafka::outgoing_record> records;
    records.reserve(batch.size());
    for (const auto& r : batch)
      records.push_back(kafka::forward(r, out));
    return records;
  };
  p.description = "pass-through: kafka::forward of every record (freshet-test-relay's processor)";
  return p;
}

#if !FRESHET_STAGE_BENCH_QUALITY_GATE
processor detail::make_quality_gate(const options&, const output_topics&, prometheus::Registry&, bool) {
  throw std::runtime_error("quality_gate is not built into this benchmark");
}
#endif
#if !FRESHET_STAGE_BENCH_ENRICH
processor detail::make_enrich(const options&, const output_topics&, prometheus::Registry&) {
  throw std::runtime_error("enrich is not built into this benchmark");
}
#endif

} // namespace freshet::bench::stage
