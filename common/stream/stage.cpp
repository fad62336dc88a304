#include "common/stream/stage.hpp"

#include <chrono>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/log/logger.hpp"
#include "common/stream/detail/stage_context.hpp"

namespace freshet::stream {

namespace {

/// Lets the consumer's rebalance callback (set when the consumer is created) reach the cycle
/// (created afterwards). Both run on the stage actor's thread.
struct rebalance_bridge {
  detail::cycle* target = nullptr;
  stage_probe* probe = nullptr;
};

struct stage_state {
  std::unique_ptr<detail::stage_context> ctx;
  std::unique_ptr<detail::cycle> cycle;
  std::shared_ptr<rebalance_bridge> bridge;
  bool stopping = false;
  static inline const char* name = "freshet.stage";
};

using stage_pointer = stage_actor::stateful_pointer<stage_state>;

stage_actor::behavior_type stage_behavior(stage_pointer self) {
  self->send(self, poll_atom::value);
  return {
    [self](poll_atom) {
      auto& st = self->state;
      if (st.stopping)
        return;
      st.cycle->run_once();
      self->send(self, poll_atom::value);
    },
    [self](stop_atom) {
      auto& st = self->state;
      st.stopping = true;
      FRESHET_LOG(info, st.ctx->logger, "stopping: committing open work and leaving the consumer group");
      st.cycle->shutdown();
      st.ctx->consumer->close(); // runs the revoke hook, which finds nothing open
      st.bridge->target = nullptr;
      if (st.ctx->producer)
        (void) st.ctx->producer->flush(5000);
      self->quit();
      return true;
    },
  };
}

} // namespace

namespace {

/// Builds the context (consumer, producer, probe, state) and spawns the actor around it.
result<stage_actor> spawn_impl(caf::actor_system& sys, stage_config cfg, batch_processor process,
                               stateful_processor stateful, prometheus::Registry& metrics) {
  if (cfg.delivery == delivery_mode::exactly_once) {
    if (cfg.producer.empty() || cfg.transactional_id.empty())
      return make_error(error_domain::config, 1,
                        "stage " + cfg.name + ": exactly-once needs a producer and a transactional id");
    cfg.producer["transactional.id"] = cfg.transactional_id;
    cfg.producer.try_emplace("transaction.timeout.ms", "30000");
  }
  if (stateful && (cfg.delivery != delivery_mode::exactly_once || cfg.changelog_topic.empty() || !cfg.open_store))
    return make_error(error_domain::config, 1,
                      "stage " + cfg.name + ": state needs exactly-once delivery, a changelog topic and a store");
  auto bridge = std::make_shared<rebalance_bridge>();
  kafka::rebalance_listener listener;
  listener.on_assign = [bridge](const std::vector<kafka::topic_partition>& parts) {
    if (bridge->probe)
      bridge->probe->rebalanced("assign", parts.size());
    if (bridge->target)
      bridge->target->on_assign(parts);
  };
  listener.on_revoke = [bridge](const std::vector<kafka::topic_partition>& parts, bool lost) {
    if (bridge->probe)
      bridge->probe->rebalanced(lost ? "lost" : "revoke", parts.size());
    if (bridge->target)
      bridge->target->on_revoke(parts, lost);
  };
  auto make_consumer = [settings = cfg.consumer, inputs = cfg.inputs,
                        listener]() -> result<std::unique_ptr<kafka::consumer>> {
    auto c = kafka::consumer::create(settings, listener);
    if (!c)
      return c.err();
    FRESHET_TRY((*c)->subscribe(inputs));
    return std::move(*c);
  };
  auto consumer = make_consumer();
  if (!consumer)
    return consumer.err();

  auto ctx = std::make_unique<detail::stage_context>();
  auto group = cfg.consumer.count("group.id") ? cfg.consumer.at("group.id") : cfg.name;
  ctx->probe = std::make_unique<stage_probe>(metrics, cfg.name, group);
  ctx->logger = log::get(cfg.name + ".stage");
  ctx->consumer = std::move(*consumer);
  ctx->make_consumer = std::move(make_consumer);
  if (!cfg.producer.empty() && cfg.delivery == delivery_mode::at_least_once) {
    auto p = kafka::producer::create(cfg.producer);
    if (!p)
      return p.err();
    ctx->producer = std::move(*p);
  }
  if (stateful) {
    auto store = cfg.open_store();
    if (!store)
      return store.err();
    auto restore_cfg = cfg.consumer;
    restore_cfg["group.id"] = group + "-restore"; // never commits: assign(), not subscribe()
    restore_cfg.erase("partition.assignment.strategy");
    ctx->state = std::make_unique<detail::changelog_state>(std::move(*store), cfg.changelog_topic, restore_cfg,
                                                           ctx->logger);
  }
  ctx->cfg = std::move(cfg);
  ctx->process = std::move(process);
  ctx->stateful = std::move(stateful);
  bridge->probe = ctx->probe.get();

  // Handed over once when the actor starts; shared_ptr only because spawn copies its arguments.
  auto parts = std::make_shared<std::unique_ptr<detail::stage_context>>(std::move(ctx));
  return sys.spawn<caf::detached>([parts, bridge](stage_pointer self) {
    auto& st = self->state;
    st.ctx = std::move(*parts);
    st.cycle = st.ctx->cfg.delivery == delivery_mode::exactly_once ? detail::make_exactly_once_cycle(*st.ctx)
                                                                   : detail::make_at_least_once_cycle(*st.ctx);
    st.bridge = bridge;
    bridge->target = st.cycle.get();
    return stage_behavior(self);
  });
}

} // namespace

result<stage_actor> spawn_stage(caf::actor_system& sys, stage_config cfg, batch_processor process,
                                prometheus::Registry& metrics) {
  return spawn_impl(sys, std::move(cfg), std::move(process), {}, metrics);
}

result<stage_actor> spawn_stage(caf::actor_system& sys, stage_config cfg, stateful_processor process,
                                prometheus::Registry& metrics) {
  return spawn_impl(sys, std::move(cfg), {}, std::move(process), metrics);
}

void stop_stage(caf::actor_system& sys, const stage_actor& stage, int timeout_ms) {
  caf::scoped_actor self{sys};
  self->request(stage, std::chrono::milliseconds(timeout_ms), stop_atom::value)
    .receive([](bool) {},
             [&](const caf::error&) { FRESHET_LOG(warn, log::get("stage"), "stage did not stop in time"); });
}

} // namespace freshet::stream
