#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace freshet::ingest {

/// Whether Kafka is taking our records, judged from our own delivery reports (no extra requests).
/// Down when records are outstanding and none has been reported on for `stall_ms`, or when the
/// latest report was a failure less than `hold_ms` ago (after that one request may try again).
/// Thread-safe (atomics); reports arrive on librdkafka's poll thread.
class kafka_health {
 public:
  kafka_health(int64_t stall_ms, int64_t hold_ms) : stall_ms_(stall_ms), hold_ms_(hold_ms) {}

  /// A record was handed to the producer (reads the clock only when nothing was outstanding).
  void produced();
  void delivered(int64_t now_ms);
  void failed(int64_t now_ms);

  [[nodiscard]] bool down(int64_t now_ms) const;
  [[nodiscard]] int64_t outstanding() const { return outstanding_.load(std::memory_order_relaxed); }

 private:
  int64_t stall_ms_;
  int64_t hold_ms_;
  std::atomic<int64_t> outstanding_{0};
  std::atomic<int64_t> last_progress_ms_{0};
  std::atomic<int64_t> last_ok_ms_{0};
  std::atomic<int64_t> last_failure_ms_{0};
};

/// Bounded memory for the whole service: the bytes of batches taken but not yet answered may not
/// exceed `max_bytes`. Unary calls and HTTP requests over the bound are refused at once
/// (RESOURCE_EXHAUSTED / 429) — and so is everything while Kafka is down (UNAVAILABLE / 503) —
/// with a retry hint; client streams instead stop reading (HTTP/2 flow control pushes back on the
/// client) until there is room again.
class admission {
 public:
  enum class verdict { admitted, overloaded, kafka_down };

  admission(int64_t max_bytes, int64_t retry_after_ms, const kafka_health* health)
      : max_bytes_(max_bytes), retry_after_ms_(retry_after_ms), health_(health) {}

  /// Takes `bytes` unless over the bound or Kafka is down.
  [[nodiscard]] verdict try_admit(int64_t bytes);
  /// Takes `bytes` regardless (a stream's batch already read; the stream then waits for room).
  void admit(int64_t bytes);
  void release(int64_t bytes);

  [[nodiscard]] bool kafka_down() const;
  [[nodiscard]] bool has_room() const { return inflight_.load(std::memory_order_relaxed) < max_bytes_; }
  /// Calls `fn` once there is room: at once if there is, else from a later `release` (on
  /// whichever thread releases). `fn` must not block.
  void when_room(std::function<void()> fn);

  [[nodiscard]] int64_t inflight_bytes() const { return inflight_.load(std::memory_order_relaxed); }
  [[nodiscard]] int64_t max_bytes() const { return max_bytes_; }
  [[nodiscard]] int64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  int64_t max_bytes_;
  int64_t retry_after_ms_;
  const kafka_health* health_;
  std::atomic<int64_t> inflight_{0};
  std::mutex mtx_;
  std::vector<std::function<void()>> waiters_;
};

} // namespace freshet::ingest
