#include <chrono>
#include <thread>

#include "common/log/logger.hpp"
#include "common/stream/detail/stage_context.hpp"

namespace freshet::stream::detail {

namespace {

/// Produce, wait for every acknowledgement, then commit the inputs' offsets. A failed batch is
/// re-read from its first offset, so nothing is lost and some outputs may repeat.
class at_least_once_cycle final : public cycle {
 public:
  explicit at_least_once_cycle(stage_context& ctx) : ctx_(ctx) {}

  void run_once() override {
    auto batch = poll_owned(ctx_);
    if (!batch) {
      FRESHET_LOG(err, ctx_.logger, "consumer failed: {}", batch.err().describe());
      if (consumer_is_dead(batch.err()) && replace_consumer(ctx_))
        return; // nothing was open: every batch commits before the next poll
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      return;
    }
    if (batch->empty())
      return;
    auto bounds = bounds_of(*batch);
    auto outputs = run_processor(ctx_, *batch);
    if (!outputs) {
      FRESHET_LOG(warn, ctx_.logger, "batch of {} failed, retrying: {}", batch->size(), outputs.err().describe());
      return rewind(bounds);
    }
    size_t produced = outputs->size();
    if (!outputs->empty()) {
      auto failures = std::make_shared<std::atomic<int>>(0);
      bool enqueued = enqueue_all(ctx_, *outputs, failures);
      auto flushed = ctx_.producer->flush(60000);
      if (!enqueued || !flushed.ok() || *failures > 0) {
        FRESHET_LOG(warn, ctx_.logger, "{} record(s) not delivered; retrying the batch", failures->load());
        return rewind(bounds);
      }
    }
    std::vector<kafka::partition_offset> commits;
    for (const auto& [tp, range] : bounds)
      commits.push_back({tp, range.second});
    auto started = std::chrono::steady_clock::now();
    if (auto s = ctx_.consumer->commit(commits); !s.ok()) {
      // The outputs are out; a lost commit only means they may be produced again.
      FRESHET_LOG(warn, ctx_.logger, "commit failed: {}", s.err().describe());
    } else {
      ctx_.probe->committed(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      for (const auto& c : commits)
        if (auto hw = ctx_.consumer->high_watermark(c.tp); hw >= 0)
          ctx_.probe->lag(c.tp.topic, c.tp.partition, std::max<int64_t>(0, hw - c.next_offset));
    }
    ctx_.probe->batch_processed(batch->size(), produced);
  }

  void on_revoke(const std::vector<kafka::topic_partition>&, bool) override {
    // Every batch is committed before the next poll, so nothing is open when partitions go.
  }

  void shutdown() override {}

 private:
  void rewind(const batch_bounds& bounds) {
    for (const auto& [tp, range] : bounds)
      if (auto s = ctx_.consumer->seek({tp, range.first}); !s.ok())
        FRESHET_LOG(warn, ctx_.logger, "rewind of {}[{}] failed: {}", tp.topic, tp.partition, s.err().describe());
    ctx_.probe->batch_retried();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  stage_context& ctx_;
};

} // namespace

std::unique_ptr<cycle> make_at_least_once_cycle(stage_context& ctx) {
  return std::make_unique<at_least_once_cycle>(ctx);
}

} // namespace freshet::stream::detail
