#include "services/ingest/admission.hpp"

#include "common/base/clock.hpp"

namespace freshet::ingest {

void kafka_health::produced() {
  if (outstanding_.fetch_add(1, std::memory_order_relaxed) == 0)
    last_progress_ms_.store(now_ms(), std::memory_order_relaxed);
}

void kafka_health::delivered(int64_t now_ms) {
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  last_progress_ms_.store(now_ms, std::memory_order_relaxed);
  last_ok_ms_.store(now_ms, std::memory_order_relaxed);
}

void kafka_health::failed(int64_t now_ms) {
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  last_progress_ms_.store(now_ms, std::memory_order_relaxed);
  last_failure_ms_.store(now_ms, std::memory_order_relaxed);
}

bool kafka_health::down(int64_t now_ms) const {
  if (outstanding_.load(std::memory_order_relaxed) > 0 &&
      now_ms - last_progress_ms_.load(std::memory_order_relaxed) > stall_ms_)
    return true;
  auto failure = last_failure_ms_.load(std::memory_order_relaxed);
  return failure > last_ok_ms_.load(std::memory_order_relaxed) && now_ms - failure < hold_ms_;
}

admission::verdict admission::try_admit(int64_t bytes) {
  if (health_ && health_->down(now_ms()))
    return verdict::kafka_down;
  // A batch larger than the whole bound is still taken when nothing else is in flight, so that
  // the bound never makes a valid batch impossible.
  auto cur = inflight_.load(std::memory_order_relaxed);
  do {
    if (cur > 0 && cur + bytes > max_bytes_)
      return verdict::overloaded;
  } while (!inflight_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  return verdict::admitted;
}

bool admission::kafka_down() const {
  return health_ && health_->down(now_ms());
}

void admission::admit(int64_t bytes) {
  inflight_.fetch_add(bytes, std::memory_order_relaxed);
}

void admission::release(int64_t bytes) {
  auto now = inflight_.fetch_sub(bytes, std::memory_order_relaxed) - bytes;
  if (now >= max_bytes_)
    return;
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard guard{mtx_};
    ready.swap(waiters_);
  }
  for (auto& fn : ready)
    fn();
}

void admission::when_room(std::function<void()> fn) {
  {
    std::lock_guard guard{mtx_};
    if (!has_room()) {
      waiters_.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

} // namespace freshet::ingest
