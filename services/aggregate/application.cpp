#include "services/aggregate/application.hpp"

#include "common/service/stage_wiring.hpp"
#include "services/aggregate/window_counter.hpp"

namespace freshet::aggregate {

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-aggregate");
  d["grpc.listen"] = "0.0.0.0:50081";
  d["metrics.listen"] = "0.0.0.0:9100";
  d["aggregate.window_ms"] = "10000";
  d["serving.ttl_seconds"] = "86400";
  return d;
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  redis_ = std::make_unique<redis::client>(s.get("redis.address"));
  store_ = std::make_unique<serving::count_store>(*redis_, rt.spec().name, s.get_int("aggregate.window_ms"),
                                                  s.get_int("serving.ttl_seconds"));
  // Writes go to Redis before the offsets are committed; a failed write rewinds the batch.
  auto stage = service::wire_stage(
    rt, {"aggregate", {rt.spec().topic_name("enriched")}, false, stream::delivery_mode::at_least_once},
    [this](const std::vector<kafka::consumed_record>& batch) -> result<std::vector<kafka::outgoing_record>> {
      FRESHET_TRY(store_->add(count_batch(batch, *store_)));
      return std::vector<kafka::outgoing_record>{};
    });
  if (!stage)
    return stage.err();
  stage_ = *stage;
  return {};
}

} // namespace freshet::aggregate
