#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace RdKafka {
class Producer;
} // namespace RdKafka
struct rd_kafka_topic_s;

namespace freshet::kafka {

/// What Kafka said about one produced record.
struct delivery_report {
  bool ok = false;
  error err;              ///< set when !ok
  int32_t partition = -1;
  int64_t offset = -1;
};

using delivery_fn = std::function<void(const delivery_report&)>;

/// A delivery callback that costs no allocation per record, for hot paths: the caller owns the
/// target (typically one of an array allocated per batch) and keeps it alive until `on_delivery`
/// has been called, exactly once, on the thread that serves delivery reports. The target may be
/// freed from within `on_delivery`; the producer does not touch it afterwards.
struct delivery_target {
  void (*on_delivery)(delivery_target& self, const delivery_report& report) = nullptr;
};

/// What a transactional call asks the caller to do next, as librdkafka classifies its errors.
enum class txn_outcome {
  ok,
  retry, ///< retriable: call the same operation again
  abort, ///< abortable: abort the transaction and rewind the consumer to the committed offsets
  fatal, ///< fatal (e.g. fenced): this producer is unusable; rebuild it or exit
};

struct txn_result {
  txn_outcome outcome = txn_outcome::ok;
  std::string message;
  bool fenced = false; ///< another producer with the same transactional.id took over
  [[nodiscard]] bool ok() const { return outcome == txn_outcome::ok; }
};

class consumer;

/// An asynchronous (non-transactional) producer with its own poll thread.
///
/// Threading: `produce` may be called from any thread; delivery callbacks run on the poll thread,
/// or on whichever thread calls `flush` (or destroys the producer), and must not block. Destruction flushes for up to the flush timeout, then fails what is left.
class producer {
 public:
  [[nodiscard]] static result<std::unique_ptr<producer>> create(const config_map& cfg);
  ~producer();

  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Enqueues a record. Fails at once with a retriable error when the local queue is full
  /// (backpressure); otherwise `on_delivery` is called exactly once, later.
  /// The record is copied (librdkafka copies the bytes anyway), so a caller may retry it as is.
  [[nodiscard]] status produce(const outgoing_record& rec, delivery_fn on_delivery);
  /// The same, reporting to `target` (not called when this fails at once).
  [[nodiscard]] status produce(const outgoing_record& rec, delivery_target& target);

  /// Waits until every queued record is delivered or `timeout_ms` passes.
  [[nodiscard]] status flush(int timeout_ms);

  /// Records waiting in the local queue or in flight.
  [[nodiscard]] int queue_length() const;

  /// Transactions: only for producers created with a `transactional.id`.
  [[nodiscard]] txn_result init_transactions(int timeout_ms);
  [[nodiscard]] txn_result begin_transaction();
  /// Adds the consumer's positions to the transaction, with its group metadata (KIP-447), so
  /// that a zombie of an older group generation is fenced.
  [[nodiscard]] txn_result send_offsets_to_transaction(const std::vector<partition_offset>& offsets, consumer& c,
                                                       int timeout_ms);
  [[nodiscard]] txn_result commit_transaction(int timeout_ms);
  [[nodiscard]] txn_result abort_transaction(int timeout_ms);

  /// Drops everything queued without waiting (for a fenced or failed producer about to be replaced).
  void discard();

  [[nodiscard]] RdKafka::Producer& handle() { return *handle_; }

 private:
  producer() = default;
  void poll_loop();
  [[nodiscard]] status enqueue(const outgoing_record& rec, delivery_target* target);
  /// The client's handle for `name`, created on first use and kept until destruction.
  [[nodiscard]] rd_kafka_topic_s* topic_handle(const std::string& name);

  std::unique_ptr<RdKafka::Producer> handle_;
  std::unique_ptr<class delivery_dispatcher> dispatcher_;
  std::mutex topics_mtx_;
  std::map<std::string, rd_kafka_topic_s*, std::less<>> topics_;
  std::atomic<bool> stopping_{false};
  bool discarded_ = false;
  std::thread poller_;
};

} // namespace freshet::kafka
