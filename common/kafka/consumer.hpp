#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace RdKafka {
class KafkaConsumer;
} // namespace RdKafka

namespace freshet::kafka {

/// Called from inside `poll_batch` when the group gives or takes partitions (cooperative
/// protocol: only the partitions that move). `on_revoke` runs before the partitions go, so the
/// owner can finish or abort in-flight work and commit. `lost` says the partitions are already
/// gone (session timed out): work on them must be aborted, not committed.
struct rebalance_listener {
  std::function<void(const std::vector<topic_partition>&)> on_assign;
  std::function<void(const std::vector<topic_partition>&, bool lost)> on_revoke;
};

/// A group consumer. Not thread-safe: one owner (an actor or a loop) calls it.
class consumer {
 public:
  [[nodiscard]] static result<std::unique_ptr<consumer>> create(const config_map& cfg,
                                                                rebalance_listener listener = {});
  ~consumer();

  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  [[nodiscard]] status subscribe(const std::vector<std::string>& topics);

  /// Reads up to `max_records`, waiting at most `timeout_ms` for the first and then taking only
  /// what is already buffered. Transient errors are logged and yield a short batch.
  [[nodiscard]] result<std::vector<consumed_record>> poll_batch(size_t max_records, int timeout_ms);

  /// Commits these positions synchronously.
  [[nodiscard]] status commit(const std::vector<partition_offset>& offsets);

  /// Moves the read position of an assigned partition (to re-read a failed batch).
  [[nodiscard]] status seek(const partition_offset& position, int timeout_ms = 5000);

  /// The group's committed positions (next offset to read; -1 when nothing was committed).
  [[nodiscard]] result<std::vector<partition_offset>> committed(const std::vector<topic_partition>& parts,
                                                                int timeout_ms = 10000);

  /// The last known end of a partition (cached from fetches, no round trip); -1 if unknown.
  [[nodiscard]] int64_t high_watermark(const topic_partition& tp);

  /// The partitions currently assigned.
  [[nodiscard]] std::vector<topic_partition> assignment() const;

  /// Leaves the group (runs the revoke listener) and closes. Idempotent.
  void close();

  [[nodiscard]] RdKafka::KafkaConsumer& handle() { return *handle_; }

 private:
  consumer() = default;

  std::unique_ptr<class rebalance_handler> rebalancer_;
  std::unique_ptr<RdKafka::KafkaConsumer> handle_;
  bool closed_ = false;
};

} // namespace freshet::kafka
