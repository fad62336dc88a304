#include "common/stream/stage.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/logger.hpp"
#include "common/stream/stage_probe.hpp"

namespace freshet::stream {

namespace {

struct stage_state {
  stage_config cfg;
  batch_processor process;
  std::unique_ptr<kafka::consumer> consumer;
  std::unique_ptr<kafka::producer> producer;
  std::unique_ptr<stage_probe> probe;
  std::shared_ptr<spdlog::logger> logger;
  bool stopping = false;
  static inline const char* name = "freshet.stage";
};

using stage_pointer = stage_actor::stateful_pointer<stage_state>;

/// First and next offsets per partition of one batch.
struct batch_bounds {
  std::map<kafka::topic_partition, std::pair<int64_t, int64_t>> parts;

  explicit batch_bounds(const std::vector<kafka::consumed_record>& batch) {
    for (const auto& r : batch) {
      auto [it, fresh] = parts.try_emplace(kafka::topic_partition{r.topic, r.partition}, r.offset, r.offset + 1);
      if (!fresh) {
        it->second.first = std::min(it->second.first, r.offset);
        it->second.second = std::max(it->second.second, r.offset + 1);
      }
    }
  }
};

void rewind(stage_state& st, const batch_bounds& bounds) {
  for (const auto& [tp, range] : bounds.parts)
    if (auto s = st.consumer->seek({tp, range.first}); !s.ok())
      FRESHET_LOG(warn, st.logger, "rewind of {}[{}] failed: {}", tp.topic, tp.partition, s.err().describe());
  st.probe->batch_retried();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

/// Produces every output and waits for Kafka's acknowledgement of all of them.
bool deliver(stage_state& st, std::vector<kafka::outgoing_record>& outputs) {
  if (outputs.empty())
    return true;
  auto failed = std::make_shared<std::atomic<int>>(0);
  for (auto& rec : outputs) {
    while (true) {
      auto s = st.producer->produce(std::move(rec), [failed](const kafka::delivery_report& r) {
        if (!r.ok)
          failed->fetch_add(1);
      });
      if (s.ok())
        break;
      if (!s.err().retriable) {
        FRESHET_LOG(err, st.logger, "produce failed: {}", s.err().describe());
        return false;
      }
      (void) st.producer->flush(100); // local queue full: let it drain, then try again
    }
  }
  if (auto s = st.producer->flush(60000); !s.ok()) {
    FRESHET_LOG(warn, st.logger, "flush: {}", s.err().describe());
    return false;
  }
  if (*failed > 0) {
    FRESHET_LOG(warn, st.logger, "{} record(s) not delivered; batch will be retried", failed->load());
    return false;
  }
  return true;
}

void run_cycle(stage_state& st) {
  auto batch = st.consumer->poll_batch(st.cfg.max_batch, st.cfg.poll_timeout_ms);
  if (!batch) {
    FRESHET_LOG(err, st.logger, "consumer failed: {}", batch.err().describe());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return;
  }
  if (batch->empty())
    return;
  auto started = mono_ns();
  batch_bounds bounds{*batch};
  auto outputs = st.process(*batch);
  if (!outputs) {
    FRESHET_LOG(warn, st.logger, "batch of {} failed, retrying: {}", batch->size(), outputs.err().describe());
    rewind(st, bounds);
    return;
  }
  size_t produced = outputs->size();
  if (!deliver(st, *outputs)) {
    rewind(st, bounds);
    return;
  }
  std::vector<kafka::partition_offset> commits;
  for (const auto& [tp, range] : bounds.parts)
    commits.push_back({tp, range.second});
  if (auto s = st.consumer->commit(commits); !s.ok()) {
    // The outputs are out; a lost commit only means they may be produced again (at-least-once).
    FRESHET_LOG(warn, st.logger, "commit failed: {}", s.err().describe());
  } else {
    st.probe->committed();
  }
  st.probe->batch_processed(batch->size(), produced, static_cast<double>(mono_ns() - started) / 1e9);
}

stage_actor::behavior_type stage_behavior(stage_pointer self) {
  self->send(self, poll_atom::value);
  return {
    [self](poll_atom) {
      auto& st = self->state;
      if (st.stopping)
        return;
      run_cycle(st);
      self->send(self, poll_atom::value);
    },
    [self](stop_atom) {
      auto& st = self->state;
      st.stopping = true;
      FRESHET_LOG(info, st.logger, "leaving the consumer group");
      st.consumer->close();
      if (st.producer)
        (void) st.producer->flush(10000);
      self->quit();
      return true;
    },
  };
}

} // namespace

result<stage_actor> spawn_stage(caf::actor_system& sys, stage_config cfg, batch_processor process,
                                prometheus::Registry& metrics) {
  auto consumer = kafka::consumer::create(cfg.consumer);
  if (!consumer)
    return consumer.err();
  FRESHET_TRY((*consumer)->subscribe(cfg.inputs));
  std::unique_ptr<kafka::producer> producer;
  if (!cfg.producer.empty()) {
    auto p = kafka::producer::create(cfg.producer);
    if (!p)
      return p.err();
    producer = std::move(*p);
  }
  // Everything the actor will own, handed over once when it starts.
  auto parts = std::make_shared<stage_state>();
  parts->probe = std::make_unique<stage_probe>(metrics, cfg.name);
  parts->logger = log::get(cfg.name + ".stage");
  parts->cfg = std::move(cfg);
  parts->process = std::move(process);
  parts->consumer = std::move(*consumer);
  parts->producer = std::move(producer);
  return sys.spawn<caf::detached>([parts](stage_pointer self) {
    auto& st = self->state;
    st.cfg = std::move(parts->cfg);
    st.process = std::move(parts->process);
    st.consumer = std::move(parts->consumer);
    st.producer = std::move(parts->producer);
    st.probe = std::move(parts->probe);
    st.logger = std::move(parts->logger);
    return stage_behavior(self);
  });
}

void stop_stage(caf::actor_system& sys, const stage_actor& stage, int timeout_ms) {
  caf::scoped_actor self{sys};
  self->request(stage, std::chrono::milliseconds(timeout_ms), stop_atom::value)
    .receive([](bool) {},
             [&](const caf::error&) { FRESHET_LOG(warn, log::get("stage"), "stage did not stop in time"); });
}

} // namespace freshet::stream
