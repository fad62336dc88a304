#include "services/quality-gate/application.hpp"

#include "common/kafka/client_config.hpp"

namespace freshet::quality_gate {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50061"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"kafka.group", "freshet-quality-gate"},
  };
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
  const auto& s = rt.settings();
  const auto& bootstrap = s.get("kafka.bootstrap");
  stream::stage_config cfg;
  cfg.name = "quality-gate";
  cfg.inputs = {rt.spec().topic_name("raw")};
  cfg.consumer = kafka::consumer_config(bootstrap, s.get("kafka.group"), "quality-gate-" + rt.instance_id());
  cfg.producer = kafka::producer_config(bootstrap, "quality-gate-" + rt.instance_id());
  auto valid = rt.spec().topic_name("valid");
  auto stage = stream::spawn_stage(
    rt.system(), std::move(cfg),
    [valid](const std::vector<kafka::consumed_record>& batch) -> result<std::vector<kafka::outgoing_record>> {
      return check_batch(batch, valid);
    },
    rt.metrics());
  if (!stage)
    return stage.err();
  stage_ = *stage;
  rt.on_stop("drain the stage", [this, &rt] { stream::stop_stage(rt.system(), stage_, 15000); });
  return {};
}

} // namespace freshet::quality_gate
