#include "services/enrich/application.hpp"

#include "common/kafka/client_config.hpp"

namespace freshet::enrich {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50071"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"kafka.group", "freshet-enrich"},
  };
}

std::vector<kafka::outgoing_record> enrich_batch(const std::vector<kafka::consumed_record>& batch,
                                                const std::string& enriched_topic) {
  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  for (const auto& rec : batch)
    out.push_back(kafka::forward(rec, enriched_topic));
  return out;
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  const auto& bootstrap = s.get("kafka.bootstrap");
  stream::stage_config cfg;
  cfg.name = "enrich";
  cfg.inputs = {rt.spec().topic_name("valid")};
  cfg.consumer = kafka::consumer_config(bootstrap, s.get("kafka.group"), "enrich-" + rt.instance_id());
  cfg.producer = kafka::producer_config(bootstrap, "enrich-" + rt.instance_id());
  auto enriched = rt.spec().topic_name("enriched");
  auto stage = stream::spawn_stage(
    rt.system(), std::move(cfg),
    [enriched](const std::vector<kafka::consumed_record>& batch) -> result<std::vector<kafka::outgoing_record>> {
      return enrich_batch(batch, enriched);
    },
    rt.metrics());
  if (!stage)
    return stage.err();
  stage_ = *stage;
  rt.on_stop("drain the stage", [this, &rt] { stream::stop_stage(rt.system(), stage_, 15000); });
  return {};
}

} // namespace freshet::enrich
