#include "common/service/stage_wiring.hpp"

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"

namespace freshet::service {

std::map<std::string, std::string> stage_defaults(const std::string& group) {
  return {
    {"kafka.group", group},
    {"stage.commit_interval_ms", "100"},
    {"stage.max_batch", "5000"},
  };
}

result<stream::stage_actor> wire_stage(runtime& rt, stage_wiring wiring, stream::batch_processor process) {
  const auto& s = rt.settings();
  const auto& bootstrap = s.get("kafka.bootstrap");
  const auto& group = s.get("kafka.group");
  auto client_id = wiring.name + "-" + rt.instance_id();
  stream::stage_config cfg;
  cfg.name = wiring.name;
  cfg.inputs = std::move(wiring.inputs);
  cfg.delivery = wiring.delivery;
  cfg.consumer = kafka::consumer_config(bootstrap, group, client_id);
  if (wiring.produces)
    cfg.producer = kafka::producer_config(bootstrap, client_id);
  cfg.transactional_id = group + "-" + rt.instance_id();
  cfg.commit_interval_ms = static_cast<int>(s.get_int("stage.commit_interval_ms"));
  cfg.max_batch = static_cast<size_t>(s.get_int("stage.max_batch"));
  cfg.on_fatal = [&rt](const std::string& why) {
    FRESHET_LOG(critical, log::get(rt.name()), "stage cannot continue: {}", why);
    rt.request_stop();
  };
  auto stage = stream::spawn_stage(rt.system(), std::move(cfg), std::move(process), rt.metrics());
  if (!stage)
    return stage.err();
  rt.on_stop("drain the stage", [&rt, actor = *stage] { stream::stop_stage(rt.system(), actor, 15000); });
  return stage;
}

} // namespace freshet::service
