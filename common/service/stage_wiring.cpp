#include "common/service/stage_wiring.hpp"

#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"

namespace freshet::service {

std::map<std::string, std::string> stage_defaults(const std::string& group) {
  return {
    {"kafka.group", group},
    {"stage.commit_interval_ms", "100"},
    {"stage.max_batch", "5000"},
    {"stage.max_txn_records", "50000"},
    {"state.dir", "state"},
  };
}

namespace {

stream::stage_config base_config(runtime& rt, stage_wiring& wiring) {
  const auto& s = rt.settings();
  const auto& bootstrap = s.get("kafka.bootstrap");
  const auto& group = s.get("kafka.group");
  auto client_id = wiring.name + "-" + rt.instance_id();
  stream::stage_config cfg;
  cfg.name = wiring.name;
  cfg.inputs = std::move(wiring.inputs);
  cfg.delivery = wiring.delivery;
  cfg.consumer = kafka::consumer_config(bootstrap, group, client_id);
  // Static membership (KIP-345): a restarted replica takes its partitions back at once instead of
  // waiting out the dead member's session and forcing a group-wide rebalance.
  cfg.consumer["group.instance.id"] = group + "-" + rt.instance_id();
  if (wiring.produces)
    cfg.producer = kafka::producer_config(bootstrap, client_id);
  cfg.transactional_id = group + "-" + rt.instance_id();
  cfg.commit_interval_ms = static_cast<int>(s.get_int("stage.commit_interval_ms"));
  cfg.max_batch = static_cast<size_t>(s.get_int("stage.max_batch"));
  cfg.max_txn_records = static_cast<size_t>(s.get_int("stage.max_txn_records"));
  cfg.on_committed = std::move(wiring.on_committed);
  cfg.tick_interval_ms = wiring.tick_interval_ms;
  cfg.on_fatal = [&rt](const std::string& why) {
    FRESHET_LOG(critical, log::get(rt.name()), "stage cannot continue: {}", why);
    rt.request_stop();
  };
  return cfg;
}

result<stream::stage_actor> stop_with_runtime(runtime& rt, result<stream::stage_actor> stage) {
  if (!stage)
    return stage.err();
  rt.on_stop("drain the stage", [&rt, actor = *stage] { stream::stop_stage(rt.system(), actor, 15000); });
  return stage;
}

} // namespace

result<stream::stage_actor> wire_stage(runtime& rt, stage_wiring wiring, stream::batch_processor process) {
  auto cfg = base_config(rt, wiring);
  return stop_with_runtime(rt, stream::spawn_stage(rt.system(), std::move(cfg), std::move(process), rt.metrics()));
}

result<stream::stage_actor> wire_stateful_stage(runtime& rt, stage_wiring wiring,
                                                stream::stateful_processor process) {
  const auto& s = rt.settings();
  auto cfg = base_config(rt, wiring);
  int32_t partitions = 1;
  for (const auto& topic : cfg.inputs) {
    auto n = kafka::partition_count(s.get("kafka.bootstrap"), topic);
    if (!n)
      return n.err();
    partitions = std::max(partitions, *n);
  }
  cfg.changelog_topic = s.get("kafka.group") + "-changelog";
  FRESHET_TRY(kafka::create_topics(s.get("kafka.bootstrap"), {{"changelog", cfg.changelog_topic, partitions, "compact", -1}}));
  auto dir = s.get("state.dir") + "/" + s.get("kafka.group") + "/" + rt.instance_id();
  cfg.open_store = [dir]() { return state::open_rocksdb({dir}); };
  return stop_with_runtime(rt, stream::spawn_stage(rt.system(), std::move(cfg), std::move(process), rt.metrics()));
}

} // namespace freshet::service
