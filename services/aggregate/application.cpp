#include "services/aggregate/application.hpp"

#include "common/kafka/client_config.hpp"
#include "services/aggregate/window_counter.hpp"

namespace freshet::aggregate {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50081"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"kafka.group", "freshet-aggregate"},
    {"aggregate.window_ms", "10000"},
    {"serving.ttl_seconds", "86400"},
  };
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  redis_ = std::make_unique<redis::client>(s.get("redis.address"));
  store_ = std::make_unique<serving::count_store>(*redis_, rt.spec().name, s.get_int("aggregate.window_ms"),
                                                  s.get_int("serving.ttl_seconds"));
  stream::stage_config cfg;
  cfg.name = "aggregate";
  cfg.inputs = {rt.spec().topic_name("enriched")};
  cfg.consumer = kafka::consumer_config(s.get("kafka.bootstrap"), s.get("kafka.group"), "aggregate-" + rt.instance_id());
  // Writes go to Redis before the offsets are committed; a failed write rewinds the batch.
  auto stage = stream::spawn_stage(
    rt.system(), std::move(cfg),
    [this](const std::vector<kafka::consumed_record>& batch) -> result<std::vector<kafka::outgoing_record>> {
      FRESHET_TRY(store_->add(count_batch(batch, *store_)));
      return std::vector<kafka::outgoing_record>{};
    },
    rt.metrics());
  if (!stage)
    return stage.err();
  stage_ = *stage;
  rt.on_stop("drain the stage", [this, &rt] { stream::stop_stage(rt.system(), stage_, 15000); });
  return {};
}

} // namespace freshet::aggregate
