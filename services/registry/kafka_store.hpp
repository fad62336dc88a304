#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "services/registry/registry_probe.hpp"
#include "services/registry/schema_store.hpp"

namespace freshet::registry {

/// The registry's state as a materialized view of the compacted `_schemas` topic, and the one
/// safe way to append to it. See services/registry/README.md ("Writes") for the protocol.
///
/// Reading: a reader thread consumes every partition of the topic from the beginning (its own
/// throw-away consumer group, read_committed, nothing committed) and applies each record to the
/// state under a write lock. The store is ready once it has read back a NOOP it appended after
/// starting: everything written before is then in the view.
///
/// Writing: every replica writes with a transactional producer under one shared `transactional.id`.
/// Taking the writer role (`init_transactions`) fences the previous holder and completes or aborts
/// its open transaction; the new holder then appends a NOOP and waits to read it back, so its view
/// holds every committed write. A write plans against that view and commits in a transaction; a
/// replica fenced in between fails its commit and starts over, so a committed write was always
/// planned on a complete view. After committing, the writer waits until its view has applied its
/// records (read-your-writes). Writes of one replica are serialized by a mutex.
///
/// Threading: `read`, `write` and `wait_ready` may be called from any thread.
class kafka_store final : public schema_store {
 public:
  struct options {
    std::string bootstrap;
    std::string topic = "_schemas";
    /// Shared by every replica of one registry: the writer role.
    std::string transactional_id = "freshet-registry";
    std::string instance; ///< this replica (client ids, NOOP records)
    std::chrono::milliseconds write_timeout{30000};
  };

  /// Creates the clients; nothing is read or written before `start`. `probe` may be null.
  [[nodiscard]] static result<std::unique_ptr<kafka_store>> create(options opts, registry_probe* probe);
  ~kafka_store() override;

  /// Starts the reader thread and the readiness check.
  void start();
  /// Stops reading; no `write` may be running. Idempotent.
  void stop();

  [[nodiscard]] status wait_ready(std::chrono::milliseconds timeout) override;
  void read(const state_reader& fn) const override;
  [[nodiscard]] status write(const write_planner& plan) override;

 private:
  using clock = std::chrono::steady_clock;
  enum class txn_end { committed, retry, failed };

  kafka_store() = default;
  void read_loop();
  void ready_loop();
  /// Appends a NOOP with the non-transactional producer; its offset.
  [[nodiscard]] result<int64_t> append_noop(clock::time_point deadline);
  /// Waits until the view has applied partition 0 up to `next_offset` (exclusive).
  [[nodiscard]] bool wait_applied(int64_t next_offset, clock::time_point deadline);
  /// Takes the writer role: a new transactional producer, `init_transactions`, the read-to-end barrier.
  [[nodiscard]] status acquire_writer(clock::time_point deadline);
  /// Appends `records` in one transaction and waits to read them back.
  [[nodiscard]] txn_end append_transaction(const std::vector<store_record>& records, clock::time_point deadline,
                                           error& why);

  options opts_;
  registry_probe* probe_ = nullptr;

  mutable std::shared_mutex state_mu_;
  registry_state state_;

  std::mutex progress_mu_;
  std::condition_variable progress_cv_;
  int64_t applied_next_ = 0; ///< next offset of partition 0 to apply
  bool ready_ = false;

  std::mutex write_mu_;
  std::unique_ptr<kafka::producer> writer_; ///< holds the writer role while not null

  std::unique_ptr<kafka::producer> marker_; ///< NOOPs, non-transactional
  std::unique_ptr<kafka::consumer> consumer_;
  std::atomic<bool> stopping_{false};
  std::thread reader_;
  std::thread readiness_;
};

} // namespace freshet::registry
