#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace RdKafka {
class Producer;
} // namespace RdKafka

namespace freshet::kafka {

/// What Kafka said about one produced record.
struct delivery_report {
  bool ok = false;
  error err;              ///< set when !ok
  int32_t partition = -1;
  int64_t offset = -1;
};

using delivery_fn = std::function<void(const delivery_report&)>;

/// An asynchronous (non-transactional) producer with its own poll thread.
///
/// Threading: `produce` may be called from any thread; delivery callbacks run on the poll thread
/// and must not block. Destruction flushes for up to the flush timeout, then fails what is left.
class producer {
 public:
  [[nodiscard]] static result<std::unique_ptr<producer>> create(const config_map& cfg);
  ~producer();

  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Enqueues a record. Fails at once with a retriable error when the local queue is full
  /// (backpressure); otherwise `on_delivery` is called exactly once, later.
  [[nodiscard]] status produce(outgoing_record rec, delivery_fn on_delivery);

  /// Waits until every queued record is delivered or `timeout_ms` passes.
  [[nodiscard]] status flush(int timeout_ms);

  /// Records waiting in the local queue or in flight.
  [[nodiscard]] int queue_length() const;

  [[nodiscard]] RdKafka::Producer& handle() { return *handle_; }

 private:
  producer() = default;
  void poll_loop();

  std::unique_ptr<RdKafka::Producer> handle_;
  std::unique_ptr<class delivery_dispatcher> dispatcher_;
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

} // namespace freshet::kafka
