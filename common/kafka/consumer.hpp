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

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const topic_partition&) const = default;
};

/// The position to resume from: the offset of the next record to read.
struct partition_offset {
  topic_partition tp;
  int64_t next_offset = 0;
};

/// Called from inside `poll_batch` when the group gives or takes partitions (cooperative
/// protocol: only the partitions that move). `on_revoke` runs before the partitions go, so the
/// owner can finish or abort in-flight work and commit.
struct rebalance_listener {
  std::function<void(const std::vector<topic_partition>&)> on_assign;
  std::function<void(const std::vector<topic_partition>&)> on_revoke;
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
