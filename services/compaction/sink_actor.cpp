#include "services/compaction/sink_actor.hpp"

#include <chrono>
#include <set>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/kafka/consumer.hpp"
#include "common/log/logger.hpp"

namespace freshet::compaction {

namespace {

constexpr int64_t offset_beginning = -2;

/// A partition waiting to be moved to where the tables say it resumes.
struct pending_seek {
  int64_t target = offset_beginning;
  bool sought = false;
};

/// The consume loop. Both the actor's handlers and the consumer's rebalance callbacks (which run
/// inside `poll_batch`) run on the actor's thread.
class sink_loop {
 public:
  sink_loop(std::unique_ptr<lake_sink> sink, sink_actor_config cfg)
      : sink_(std::move(sink)), cfg_(std::move(cfg)), logger_(log::get("compaction.sink")) {}

  status start() {
    kafka::rebalance_listener l;
    l.on_assign = [this](const std::vector<kafka::topic_partition>& parts) { on_assign(parts); };
    l.on_revoke = [this](const std::vector<kafka::topic_partition>& parts, bool lost) { on_revoke(parts, lost); };
    auto c = kafka::consumer::create(cfg_.consumer, std::move(l));
    if (!c)
      return c.err();
    consumer_ = std::move(*c);
    return consumer_->subscribe(sink_->topics());
  }

  void run_once() {
    if (resync_needed_ && !resync())
      return std::this_thread::sleep_for(std::chrono::milliseconds(cfg_.resync_backoff_ms));
    auto batch = consumer_->poll_batch(cfg_.max_batch, cfg_.poll_timeout_ms);
    if (!batch) {
      FRESHET_LOG(err, logger_, "consume: {}", batch.err().describe());
      return std::this_thread::sleep_for(std::chrono::milliseconds(cfg_.resync_backoff_ms));
    }
    if (resync_needed_)
      return; // a lost partition or failed commit during the poll: this batch is stale
    apply_pending_seeks(*batch);
    const int64_t now = now_ms();
    if (auto st = sink_->process(*batch, now); !st.ok())
      return schedule_resync("process", st.err());
    auto commits = sink_->commit_due(now, false);
    if (!commits)
      return schedule_resync("commit", commits.err());
    if (*commits > 0)
      commit_hints();
  }

  void shutdown() {
    if (!resync_needed_) {
      auto r = sink_->commit_due(now_ms(), /*force=*/true);
      if (!r)
        FRESHET_LOG(err, logger_, "final commit failed ({}); the next run resumes from the tables", r.err().describe());
      else
        commit_hints();
    }
    stopping_ = true;
    consumer_->close();
  }

 private:
  void on_assign(const std::vector<kafka::topic_partition>& parts) {
    if (auto st = sink_->refresh(); !st.ok())
      return schedule_resync("refresh", st.err());
    for (const auto& [tp, start] : sink_->start_offsets(parts)) {
      pending_[tp] = {start, false};
      FRESHET_LOG(info, logger_, "{}[{}] resumes at {}", tp.topic, tp.partition,
                  start == offset_beginning ? std::string{"the beginning"} : std::to_string(start));
    }
  }

  void on_revoke(const std::vector<kafka::topic_partition>& parts, bool lost) {
    if (lost) {
      // Another instance may own them already: nothing buffered from them may be committed.
      sink_->reset();
      schedule_resync("lost partitions", error{});
    } else if (!resync_needed_) {
      auto r = sink_->commit_due(now_ms(), /*force=*/true);
      if (!r)
        schedule_resync("commit at revoke", r.err());
      else if (!stopping_)
        commit_hints();
    }
    sink_->forget(parts);
    for (const auto& tp : parts)
      pending_.erase(tp);
  }

  /// Seeks partitions whose records start elsewhere than their resume offset; drops what comes before.
  void apply_pending_seeks(std::vector<kafka::consumed_record>& batch) {
    if (pending_.empty())
      return;
    std::map<kafka::topic_partition, int64_t> first;
    for (const auto& r : batch)
      first.try_emplace({r.topic, r.partition}, r.offset);
    std::set<kafka::topic_partition> drop;
    for (const auto& [tp, offset] : first) {
      auto it = pending_.find(tp);
      if (it == pending_.end())
        continue;
      auto& p = it->second;
      if (p.sought || (p.target >= 0 && offset == p.target)) {
        if (p.target >= 0 && offset > p.target)
          FRESHET_LOG(warn, logger_, "{}[{}] starts at {}, after its resume offset {} (retention?)", tp.topic,
                      tp.partition, offset, p.target);
        pending_.erase(it);
        continue;
      }
      drop.insert(tp);
      if (auto st = consumer_->seek({tp, p.target}); st.ok())
        p.sought = true;
      else
        FRESHET_LOG(warn, logger_, "seek {}[{}] to {}: {} (retrying)", tp.topic, tp.partition, p.target, st.err().describe());
    }
    if (!drop.empty())
      std::erase_if(batch, [&](const kafka::consumed_record& r) { return drop.contains({r.topic, r.partition}); });
  }

  void schedule_resync(const std::string& why, const error& err) {
    if (!err.message.empty())
      FRESHET_LOG(warn, logger_, "{}: {}; starting over from the tables' txn versions", why, err.describe());
    sink_->reset();
    resync_needed_ = true;
    resync_reason_ = why;
  }

  bool resync() {
    sink_->reset();
    if (auto st = sink_->refresh(); !st.ok()) {
      FRESHET_LOG(err, logger_, "cannot re-read the tables: {}", st.err().describe());
      return false;
    }
    pending_.clear();
    for (const auto& [tp, start] : sink_->start_offsets(consumer_->assignment()))
      pending_[tp] = {start, false};
    resync_needed_ = false;
    sink_probe_resynced();
    return true;
  }

  void sink_probe_resynced() {
    FRESHET_LOG(info, logger_, "resynced after: {}", resync_reason_);
    if (cfg_.probe)
      cfg_.probe->resynced(resync_reason_);
  }

  void commit_hints() {
    auto positions = sink_->safe_positions(consumer_->assignment());
    if (positions.empty())
      return;
    if (auto st = consumer_->commit(positions); !st.ok())
      FRESHET_LOG(debug, logger_, "committing group offsets (a hint only): {}", st.err().describe());
  }

  std::unique_ptr<lake_sink> sink_;
  sink_actor_config cfg_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<kafka::consumer> consumer_;
  std::map<kafka::topic_partition, pending_seek> pending_;
  bool resync_needed_ = false;
  bool stopping_ = false;
  std::string resync_reason_;
};

struct sink_state {
  std::unique_ptr<sink_loop> loop;
  bool stopping = false;
  static inline const char* name = "freshet.lake_sink";
};

using sink_pointer = lake_sink_actor::stateful_pointer<sink_state>;

lake_sink_actor::behavior_type sink_behavior(sink_pointer self) {
  self->send(self, poll_atom::value);
  return {
    [self](poll_atom) {
      if (self->state.stopping)
        return;
      self->state.loop->run_once();
      self->send(self, poll_atom::value);
    },
    [self](stop_atom) {
      self->state.stopping = true;
      self->state.loop->shutdown();
      self->quit();
      return true;
    },
  };
}

} // namespace

result<lake_sink_actor> spawn_lake_sink(caf::actor_system& sys, std::unique_ptr<lake_sink> sink, sink_actor_config cfg) {
  auto loop = std::make_shared<std::unique_ptr<sink_loop>>(std::make_unique<sink_loop>(std::move(sink), std::move(cfg)));
  FRESHET_TRY((*loop)->start());
  return sys.spawn<caf::detached>([loop](sink_pointer self) {
    self->state.loop = std::move(*loop);
    return sink_behavior(self);
  });
}

void stop_lake_sink(caf::actor_system& sys, const lake_sink_actor& actor, int timeout_ms) {
  caf::scoped_actor self{sys};
  self->request(actor, std::chrono::milliseconds(timeout_ms), stop_atom::value)
    .receive([](bool) {},
             [&](const caf::error&) { FRESHET_LOG(warn, log::get("compaction"), "the lake sink did not stop in time"); });
}

} // namespace freshet::compaction
