#include "services/quality-gate/application.hpp"

#include "common/service/stage_wiring.hpp"

namespace freshet::quality_gate {

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-quality-gate");
  d["grpc.listen"] = "0.0.0.0:50061";
  d["metrics.listen"] = "0.0.0.0:9100";
  return d;
}

std::vector<kafka::outgoing_record> check_batch(const std::vector<kafka::consumed_record>& batch,
                                                const std::string& valid_topic) {
  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  for (const auto& rec : batch)
    out.push_back(kafka::forward(rec, valid_topic));
  return out;
}

status application::wire_up(service::runtime& rt) {
  auto valid = rt.spec().topic_name("valid");
  auto stage = service::wire_stage(rt, {"quality-gate", {rt.spec().topic_name("raw")}},
                                   [valid](const std::vector<kafka::consumed_record>& batch)
                                     -> result<std::vector<kafka::outgoing_record>> { return check_batch(batch, valid); });
  if (!stage)
    return stage.err();
  stage_ = *stage;
  return {};
}

} // namespace freshet::quality_gate
