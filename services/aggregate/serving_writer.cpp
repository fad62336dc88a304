#include "services/aggregate/serving_writer.hpp"

#include <algorithm>

#include "common/log/logger.hpp"

namespace freshet::aggregate {

namespace {

constexpr size_t rollups_per_write = 500;

} // namespace

serving_writer::serving_writer(serving_sink& sink, aggregate_probe* probe, size_t backlog_limit,
                               std::function<int64_t()> clock)
    : sink_(sink), probe_(probe), backlog_limit_(backlog_limit), clock_(std::move(clock)) {}

void serving_writer::enqueue(int32_t partition, std::string outbox_key, v1::Rollup rollup) {
  if (queue_.size() >= backlog_limit_) {
    // Everything queued is also in the partitions' outboxes: drop it here, re-read it from there.
    queue_.clear();
    overflowed_ = true;
  }
  queue_.push_back({partition, std::move(outbox_key), std::move(rollup)});
}

void serving_writer::flush() {
  const int64_t now = clock_();
  if (queue_.empty() || now < retry_at_ms_) {
    if (probe_)
      probe_->serving_backlog(queue_.size());
    return;
  }
  std::vector<v1::Rollup> chunk;
  while (!queue_.empty()) {
    size_t n = std::min(rollups_per_write, queue_.size());
    // Moved out for the write and back if it fails: a rollup copy costs as much as its encoding.
    chunk.clear();
    chunk.reserve(n);
    int64_t oldest = now;
    for (size_t i = 0; i < n; ++i) {
      oldest = std::min(oldest, queue_[i].rollup.emitted_at_ms());
      chunk.push_back(std::move(queue_[i].rollup));
    }
    auto r = sink_.write(chunk);
    if (!r) {
      for (size_t i = 0; i < n; ++i)
        queue_[i].rollup = std::move(chunk[i]);
      backoff_ms_ = std::clamp<int64_t>(backoff_ms_ * 2, 200, 5000);
      retry_at_ms_ = now + backoff_ms_;
      if (probe_)
        probe_->serving_failed();
      FRESHET_LOG(warn, log::get("aggregate"), "serving store write failed ({} rollups waiting, retry in {} ms): {}",
                  queue_.size(), backoff_ms_, r.err().describe());
      break;
    }
    backoff_ms_ = 0;
    retry_at_ms_ = 0;
    if (probe_)
      probe_->served(r->written, r->stale, static_cast<double>(clock_() - oldest) / 1000.0);
    for (size_t i = 0; i < n; ++i) {
      auto& p = queue_.front();
      served_.push_back({p.partition, std::move(p.outbox_key), chunk[i].revision()});
      queue_.pop_front();
    }
  }
  if (probe_)
    probe_->serving_backlog(queue_.size());
}

} // namespace freshet::aggregate
