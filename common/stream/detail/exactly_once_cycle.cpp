#include <chrono>
#include <thread>
#include <utility>

#include <librdkafka/rdkafkacpp.h>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"
#include "common/stream/detail/stage_context.hpp"

namespace freshet::stream::detail {

namespace {

using std::chrono::milliseconds;

/// Consume–transform–produce inside Kafka transactions (KIP-447).
///
/// A transaction opens with the first record after a commit and commits when `commit_interval_ms`
/// has passed or `max_txn_records` input records are in it. Its outputs and the consumer's next offsets commit
/// together; on an abortable error the transaction aborts and the consumer rewinds to the group's
/// committed offsets, so the same records are processed again into a new transaction. A fatal
/// error rebuilds the producer (same transactional id), except when it was fenced by a newer
/// instance: then this one is a zombie and stops.
class exactly_once_cycle final : public cycle {
 public:
  explicit exactly_once_cycle(stage_context& ctx) : ctx_(ctx) {}

  void run_once() override {
    if (fatal_)
      return pause(500);
    if (!ready_ && !init())
      return pause(500);
    if (rewind_pending_) {
      rewind(); // nothing is processed from positions past an aborted transaction
      if (rewind_pending_)
        return;
    }
    auto batch = poll_owned(ctx_);
    if (!batch) {
      FRESHET_LOG(err, ctx_.logger, "consumer failed: {}", batch.err().describe());
      if (consumer_is_dead(batch.err()))
        return replace_dead_consumer();
      return pause(500);
    }
    if (ctx_.rewound_in_poll) {
      // Part of this batch was read before the rewind (from past the aborted transaction), part
      // maybe after it: drop all of it and rewind again, so every record is read from the
      // committed offsets. Processing the early part would commit offsets past records whose
      // outputs were aborted — lost records.
      rewind_pending_ = true;
      return;
    }
    if (!pending_restore_.empty())
      restore(*batch);
    if (!batch->empty() && !fatal_ && ready_)
      process(*batch);
    else if (batch->empty() && !fatal_ && ready_ && tick_due())
      tick();
    if (in_txn_ && due())
      commit();
  }

  void on_assign(const std::vector<kafka::topic_partition>& parts) override {
    if (ctx_.state)
      pending_restore_.insert(parts.begin(), parts.end());
  }

  void on_revoke(const std::vector<kafka::topic_partition>& parts, bool lost) override {
    if (in_txn_ && lost) {
      FRESHET_LOG(warn, ctx_.logger, "partitions lost with a transaction open: aborting it");
      abort("partitions_lost");
    } else if (in_txn_) {
      commit();
    }
    for (const auto& tp : parts) {
      ctx_.revoked_in_poll.insert(tp);
      positions_.erase(tp);
      pending_restore_.erase(tp);
      ctx_.probe->forget_partition(tp.topic, tp.partition);
    }
    if (ctx_.state)
      ctx_.state->release(parts);
  }

  void shutdown() override {
    if (in_txn_ && ready_ && !fatal_)
      commit();
  }

 private:
  static void pause(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

  bool tick_due() const {
    return ctx_.cfg.tick_interval_ms > 0 &&
           mono_ns() - last_run_ns_ >= static_cast<int64_t>(ctx_.cfg.tick_interval_ms) * 1000000;
  }

  bool due() const {
    return txn_records_ >= ctx_.cfg.max_txn_records ||
           mono_ns() - txn_started_ns_ >= static_cast<int64_t>(ctx_.cfg.commit_interval_ms) * 1000000;
  }

  bool init() {
    if (!ctx_.producer) {
      auto p = kafka::producer::create(ctx_.cfg.producer);
      if (!p) {
        FRESHET_LOG(err, ctx_.logger, "cannot create producer: {}", p.err().describe());
        return false;
      }
      ctx_.producer = std::move(*p);
    }
    auto r = ctx_.producer->init_transactions(ctx_.cfg.transaction_timeout_ms * 3);
    if (r.outcome == kafka::txn_outcome::fatal)
      return fail(r);
    if (!r.ok()) {
      FRESHET_LOG(warn, ctx_.logger, "{}; retrying", r.message);
      return false;
    }
    ready_ = true;
    FRESHET_LOG(info, ctx_.logger, "transactions ready (transactional.id={})", ctx_.cfg.transactional_id);
    return true;
  }

  /// Opens a transaction unless one is open; false (after handling the error) when it cannot.
  bool begin() {
    if (in_txn_)
      return true;
    auto r = ctx_.producer->begin_transaction();
    if (!r.ok()) {
      FRESHET_LOG(warn, ctx_.logger, "{}", r.message);
      r.outcome == kafka::txn_outcome::fatal ? void(fail(r)) : rewind();
      return false;
    }
    in_txn_ = true;
    txn_started_ns_ = mono_ns();
    txn_records_ = 0;
    failures_ = std::make_shared<std::atomic<int>>(0);
    return true;
  }

  /// Hands what was produced to `on_committed` once the transaction commits.
  void keep_for_commit_hook(std::vector<kafka::outgoing_record>& outputs) {
    if (!ctx_.cfg.on_committed)
      return;
    for (auto& rec : outputs)
      if (rec.topic != ctx_.cfg.changelog_topic)
        txn_outputs_.push_back(std::move(rec));
  }

  /// The processor with an empty batch (processing time passed); a transaction only for outputs.
  void tick() {
    last_run_ns_ = mono_ns();
    const std::vector<kafka::consumed_record> none;
    auto outputs = run_processor(ctx_, none);
    if (!outputs) {
      FRESHET_LOG(warn, ctx_.logger, "tick failed: {}", outputs.err().describe());
      if (in_txn_)
        return abort("processor");
      if (ctx_.state)
        ctx_.state->aborted();
      return;
    }
    if (outputs->empty() && !(ctx_.state && ctx_.state->has_changes()))
      return;
    if (!begin()) {
      if (ctx_.state)
        ctx_.state->aborted();
      return;
    }
    size_t produced = outputs->size();
    if (!enqueue_all(ctx_, *outputs, failures_))
      return abort("produce");
    keep_for_commit_hook(*outputs);
    ctx_.probe->batch_processed(0, produced);
  }

  void process(std::vector<kafka::consumed_record>& batch) {
    last_run_ns_ = mono_ns();
    if (!begin())
      return;
    auto outputs = run_processor(ctx_, batch);
    if (!outputs) {
      FRESHET_LOG(warn, ctx_.logger, "batch of {} failed, retrying: {}", batch.size(), outputs.err().describe());
      ctx_.probe->batch_retried();
      return abort("processor");
    }
    size_t produced = outputs->size();
    if (!enqueue_all(ctx_, *outputs, failures_))
      return abort("produce");
    keep_for_commit_hook(*outputs);
    for (const auto& [tp, range] : bounds_of(batch))
      positions_[tp] = range.second;
    txn_records_ += batch.size();
    ctx_.probe->batch_processed(batch.size(), produced);
  }

  void commit() {
    auto started = mono_ns();
    if (ctx_.state) {
      // The state's changes of the whole transaction, one record per key: a key written by every
      // batch of the transaction costs one changelog record.
      auto changelog = ctx_.state->take_changelog();
      if (!enqueue_all(ctx_, changelog, failures_, ctx_.state->delivery_observer()))
        return abort("produce");
      ctx_.probe->changelog_written(changelog.size());
    }
    if (*failures_ > 0)
      return abort("delivery");
    std::vector<kafka::partition_offset> offsets;
    for (const auto& [tp, next] : positions_)
      offsets.push_back({tp, next});
    for (int attempt = 0;; ++attempt) {
      auto r = ctx_.producer->send_offsets_to_transaction(offsets, *ctx_.consumer, ctx_.cfg.transaction_timeout_ms);
      if (r.ok())
        break;
      if (!handle(r, attempt, "send_offsets"))
        return;
    }
    for (int attempt = 0;; ++attempt) {
      auto r = ctx_.producer->commit_transaction(ctx_.cfg.transaction_timeout_ms);
      if (r.ok())
        break;
      if (!handle(r, attempt, "commit"))
        return;
    }
    in_txn_ = false;
    if (ctx_.state) {
      if (auto s = ctx_.state->committed(); !s.ok()) {
        // The changelog has the truth; the cache must not diverge from it: rebuild it.
        FRESHET_LOG(err, ctx_.logger, "local state write failed ({}); restoring from the changelog", s.err().describe());
        auto assigned = ctx_.consumer->assignment();
        pending_restore_.insert(assigned.begin(), assigned.end());
      }
    }
    ctx_.probe->committed(static_cast<double>(mono_ns() - started) / 1e9);
    if (ctx_.cfg.on_committed) {
      auto committed = std::exchange(txn_outputs_, {});
      ctx_.cfg.on_committed(committed);
    }
    if (ctx_.state && mono_ns() - state_size_reported_ns_ > 5'000'000'000LL) {
      ctx_.probe->state_size(ctx_.state->approximate_bytes());
      state_size_reported_ns_ = mono_ns();
    }
    for (const auto& o : offsets)
      if (auto hw = ctx_.consumer->high_watermark(o.tp); hw >= 0)
        ctx_.probe->lag(o.tp.topic, o.tp.partition, std::max<int64_t>(0, hw - o.next_offset));
  }

  /// Decides what a failed transactional call leads to; true means "call it again".
  bool handle(const kafka::txn_result& r, int attempt, const char* what) {
    if (r.outcome == kafka::txn_outcome::retry && attempt < 20) {
      FRESHET_LOG(warn, ctx_.logger, "{}; retrying", r.message);
      pause(std::min(100 * (attempt + 1), 1000));
      return true;
    }
    if (r.outcome == kafka::txn_outcome::fatal) {
      fail(r);
      return false;
    }
    FRESHET_LOG(warn, ctx_.logger, "{}", r.message);
    abort(what);
    return false;
  }

  void abort(const std::string& reason) {
    if (discard(reason))
      rewind();
  }

  /// Aborts the open transaction and forgets what it held (outputs for the commit hook, state
  /// writes). False when the abort failed fatally: `fail` has then run (and rewound or stopped).
  bool discard(const std::string& reason) {
    ctx_.probe->aborted(reason);
    txn_outputs_.clear();
    if (ctx_.state)
      ctx_.state->aborted();
    if (in_txn_) {
      auto r = ctx_.producer->abort_transaction(ctx_.cfg.transaction_timeout_ms);
      if (r.outcome == kafka::txn_outcome::fatal) {
        fail(r);
        return false;
      }
      if (!r.ok())
        FRESHET_LOG(warn, ctx_.logger, "{}", r.message);
    }
    in_txn_ = false;
    return true;
  }

  /// Restores the state of newly assigned partitions before their records are processed. If the
  /// changelog cannot be read, their records are put back (rewound) and tried again later.
  void restore(std::vector<kafka::consumed_record>& batch) {
    std::vector<kafka::topic_partition> parts{pending_restore_.begin(), pending_restore_.end()};
    auto r = ctx_.state->restore(parts);
    if (r) {
      pending_restore_.clear();
      ctx_.probe->state_restored(r->first, r->second);
      return;
    }
    FRESHET_LOG(warn, ctx_.logger, "state restore failed ({}); will retry", r.err().describe());
    std::set<kafka::topic_partition> waiting{parts.begin(), parts.end()};
    for (const auto& [tp, range] : bounds_of(batch))
      if (waiting.contains(tp))
        (void) ctx_.consumer->seek({tp, range.first});
    std::erase_if(batch, [&](const kafka::consumed_record& rec) {
      return waiting.contains(kafka::topic_partition{rec.topic, rec.partition});
    });
    pause(500);
  }

  /// The consumer can do nothing more: the open transaction (its offsets belong to that consumer's
  /// group generation) is aborted, and a new consumer rejoins and starts at the committed offsets.
  void replace_dead_consumer() {
    if (in_txn_)
      (void) discard("consumer_fatal"); // no rewind: the dead consumer cannot read committed offsets
    positions_.clear();
    rewind_pending_ = false; // a new assignment starts at the committed offsets
    if (!replace_consumer(ctx_))
      pause(1000);
  }

  /// Moves every assigned partition back to the group's committed offset.
  void rewind() {
    positions_.clear();
    ctx_.rewound_in_poll = true; // read by run_once when this happens inside a poll's rebalance callback
    auto assigned = ctx_.consumer->assignment();
    if (assigned.empty()) {
      rewind_pending_ = false; // a new assignment starts at the committed offsets anyway
      return;
    }
    auto committed = ctx_.consumer->committed(assigned);
    if (!committed) {
      // The positions are past records of the aborted transaction: nothing may be processed until
      // they are moved back, or those records would be skipped. run_once tries again first.
      FRESHET_LOG(err, ctx_.logger, "cannot read committed offsets ({}); rewinding again before polling",
                  committed.err().describe());
      rewind_pending_ = true;
      return pause(500);
    }
    rewind_pending_ = false;
    for (const auto& pos : *committed) {
      kafka::partition_offset target{pos.tp, pos.next_offset >= 0 ? pos.next_offset : RdKafka::Topic::OFFSET_BEGINNING};
      if (auto s = ctx_.consumer->seek(target); !s.ok())
        FRESHET_LOG(warn, ctx_.logger, "rewind {}[{}]: {}", pos.tp.topic, pos.tp.partition, s.err().describe());
    }
  }

  /// A fatal producer error: fenced means a newer instance owns our transactional id, so we stop;
  /// anything else gets a fresh producer and a rewind.
  bool fail(const kafka::txn_result& r) {
    in_txn_ = false;
    txn_outputs_.clear();
    if (ctx_.state)
      ctx_.state->aborted();
    ready_ = false;
    positions_.clear();
    if (ctx_.producer) {
      ctx_.producer->discard();
      ctx_.producer.reset();
    }
    if (r.fenced) {
      FRESHET_LOG(err, ctx_.logger, "fenced by a newer instance ({}); stopping", r.message);
      fatal_ = true;
      if (ctx_.cfg.on_fatal)
        ctx_.cfg.on_fatal(r.message);
      return false;
    }
    FRESHET_LOG(err, ctx_.logger, "fatal producer error ({}); rebuilding the producer", r.message);
    ctx_.probe->producer_rebuilt();
    rewind();
    return false;
  }

  stage_context& ctx_;
  bool ready_ = false;
  bool fatal_ = false;
  bool in_txn_ = false;
  bool rewind_pending_ = false; ///< a rewind could not read the committed offsets: retry before polling
  int64_t txn_started_ns_ = 0;
  size_t txn_records_ = 0;
  std::shared_ptr<std::atomic<int>> failures_ = std::make_shared<std::atomic<int>>(0);
  std::map<kafka::topic_partition, int64_t> positions_;
  std::set<kafka::topic_partition> pending_restore_;
  int64_t state_size_reported_ns_ = 0;
  int64_t last_run_ns_ = 0;                        ///< when the processor last ran (ticks)
  std::vector<kafka::outgoing_record> txn_outputs_; ///< for `on_committed`, when set
};

} // namespace

std::unique_ptr<cycle> make_exactly_once_cycle(stage_context& ctx) {
  return std::make_unique<exactly_once_cycle>(ctx);
}

} // namespace freshet::stream::detail
