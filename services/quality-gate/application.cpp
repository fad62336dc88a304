#include "services/quality-gate/application.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "common/base/clock.hpp"
#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"
#include "common/schema/stage_decoder.hpp"
#include "common/service/stage_wiring.hpp"

namespace freshet::quality_gate {

std::map<std::string, std::string> application::defaults() {
  auto d = service::stage_defaults("freshet-quality-gate");
  d["grpc.listen"] = "0.0.0.0:50061";
  d["metrics.listen"] = "0.0.0.0:9100";
  d["alerts.tick_ms"] = "1000";           // how often windows are closed when no event arrives
  d["alerts.webhook_queue"] = "256";      // alerts waiting for the webhook; more are dropped
  d["alerts.webhook_timeout_ms"] = "2000";
  d["readmit.group"] = "";                // the readmit cursor's consumer group; default <kafka.group>-readmit
  d["readmit.idle_ms"] = "1500";
  d["readmit.assign_timeout_ms"] = "30000";
  d["readmit.max_txn_records"] = "2000";
  d["registry.url"] = "";                 // the schema registry (empty: Avro with schema id 0 = the local .avsc)
  d["registry.timeout_ms"] = "5000";
  return d;
}

void application::on_window(const window_result& r) {
  probe_->window_closed(r.spec->stream, r.spec->name, r.value, r.violated);
  if (!r.violated)
    return;
  FRESHET_LOG(warn, log::get("quality-gate.alerts"), "expectation {}/{} violated: {}", r.spec->stream, r.spec->name,
              r.message);
  if (webhook_ && !r.spec->webhook.empty())
    (void) webhook_->post(r.spec->webhook, alert_json(pipeline_, r));
}

void application::start_ticker(int64_t every_ms) {
  ticker_ = std::thread{[this, every_ms] {
    std::unique_lock lock{tick_mtx_};
    while (!tick_cv_.wait_for(lock, std::chrono::milliseconds(every_ms), [this] { return tick_stop_; })) {
      lock.unlock();
      monitor_->tick();
      lock.lock();
    }
  }};
}

void application::stop_ticker() {
  {
    std::lock_guard guard{tick_mtx_};
    tick_stop_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable())
    ticker_.join();
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  const auto& pipeline = rt.spec();
  pipeline_ = pipeline.name;
  auto logger = log::get("quality-gate");

  auto spec = config::load_expectations_spec(pipeline);
  if (!spec)
    return spec.err();
  spec_ = std::move(*spec);
  auto compiled = expectation_set::compile(pipeline, spec_);
  if (!compiled)
    return compiled.err();
  expectations_ = std::make_unique<expectation_set>(std::move(*compiled));
  probe_ = std::make_unique<quality_probe>(rt.metrics());

  bool any_webhook = false;
  for (const auto& e : spec_.expectations)
    any_webhook = any_webhook || !e.webhook.empty();
  if (any_webhook) {
    webhook_ = std::make_unique<webhook_poster>(
      static_cast<size_t>(s.get_int("alerts.webhook_queue")), static_cast<int>(s.get_int("alerts.webhook_timeout_ms")),
      [this](const std::string& outcome, const std::string& detail) {
        probe_->webhook(outcome);
        if (outcome != "delivered")
          FRESHET_LOG(warn, log::get("quality-gate.alerts"), "alert webhook {}: {}", outcome, detail);
      });
    rt.on_stop("stop the alert webhook", [this] { webhook_->stop(); });
  }

  monitor_ = std::make_unique<window_monitor>(spec_, [] { return now_ms(); },
                                              [this](const window_result& r) { on_window(r); });
  if (!monitor_->empty()) {
    start_ticker(std::max<int64_t>(50, s.get_int("alerts.tick_ms")));
    rt.on_stop("stop the window ticker", [this] { stop_ticker(); });
  }

  auto decoder = schema::make_stage_decoder(pipeline, s.get("registry.url"),
                                            static_cast<int>(s.get_int("registry.timeout_ms")));
  if (!decoder)
    return decoder.err();
  gate_ = std::make_unique<gate>(*expectations_,
                                 gate_topics{pipeline.topic_name("valid"), pipeline.topic_name("quarantine")},
                                 [] { return now_ms(); }, stage_decoder(std::move(*decoder)));
  size_t record_checks = 0, unique = 0;
  for (const auto& sc : expectations_->streams()) {
    record_checks += sc->checks.size();
    unique += sc->unique ? 1 : 0;
  }
  if (unique > 0)
    dedupe_ = std::make_unique<state_dedupe>();
  gate_->attach(probe_.get(), monitor_->empty() ? nullptr : monitor_.get(), dedupe_.get());
  FRESHET_LOG(info, logger, "{} expectations: {} record-level, {} unique, {} windowed", spec_.expectations.size(),
              record_checks, unique, spec_.expectations.size() - record_checks - unique);

  auto* g = gate_.get();
  auto stage = unique > 0
                 ? service::wire_stateful_stage(rt, {"quality-gate", {pipeline.topic_name("raw")}},
                                                [this, g](const std::vector<kafka::consumed_record>& batch,
                                                          stream::stage_state& state) {
                                                  dedupe_->bind(&state);
                                                  auto out = g->process(batch);
                                                  dedupe_->sweep(now_ms());
                                                  return out;
                                                })
                 : service::wire_stage(rt, {"quality-gate", {pipeline.topic_name("raw")}},
                                       [g](const std::vector<kafka::consumed_record>& batch) { return g->process(batch); });
  if (!stage)
    return stage.err();
  stage_ = *stage;

  readmit_deps deps;
  auto group = s.get("readmit.group").empty() ? s.get("kafka.group") + "-readmit" : s.get("readmit.group");
  auto client_id = "quality-gate-readmit-" + rt.instance_id();
  deps.config.consumer = kafka::consumer_config(s.get("kafka.bootstrap"), group, client_id);
  deps.config.producer = kafka::producer_config(s.get("kafka.bootstrap"), client_id);
  // One transactional id for every replica: a readmit started anywhere fences one still running elsewhere.
  deps.config.producer["transactional.id"] = group;
  deps.config.producer["transaction.timeout.ms"] = "60000";
  deps.config.quarantine_topic = pipeline.topic_name("quarantine");
  deps.config.idle_ms = static_cast<int>(s.get_int("readmit.idle_ms"));
  deps.config.assign_timeout_ms = static_cast<int>(s.get_int("readmit.assign_timeout_ms"));
  deps.config.max_txn_records = static_cast<size_t>(std::max<int64_t>(1, s.get_int("readmit.max_txn_records")));
  deps.judge = gate_.get();
  deps.probe = probe_.get();
  deps.stopping = readmit_stopping_;
  readmit_ = spawn_readmit_actor(rt.system(), std::move(deps));
  rt.on_stop("stop readmit", [this, &rt] {
    *readmit_stopping_ = true;
    caf::scoped_actor self{rt.system()};
    self->request(readmit_, std::chrono::seconds(20), drain_atom::value)
      .receive([](bool) {},
               [](const caf::error&) { FRESHET_LOG(warn, log::get("quality-gate"), "readmit did not stop in time"); });
    caf::anon_send_exit(readmit_, caf::exit_reason::user_shutdown);
  });

  grpc_ = std::make_unique<grpc_api>(
    [this](std::shared_ptr<readmit_call> call) { caf::anon_send(readmit_, readmit_atom::value, std::move(call)); });
  rt.add_grpc_service(grpc_.get());
  return {};
}

} // namespace freshet::quality_gate
