#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace RdKafka {
class KafkaConsumer;
} // namespace RdKafka

namespace freshet::kafka {

/// Reads partitions by assignment — no consumer group membership, no commits — and says when a
/// partition's end is reached: what a loader of a compacted topic (e.g. enrich's reference tables)
/// needs and the group `consumer` does not offer. Not thread-safe: one owner.
class partition_reader {
 public:
  /// `cfg` is a consumer config; `enable.partition.eof` is forced on.
  [[nodiscard]] static result<std::unique_ptr<partition_reader>> create(config_map cfg);
  ~partition_reader();

  partition_reader(const partition_reader&) = delete;
  partition_reader& operator=(const partition_reader&) = delete;

  /// Low and high watermark of a partition, asked of the broker.
  [[nodiscard]] result<std::pair<int64_t, int64_t>> query_watermarks(const topic_partition& tp,
                                                                     int timeout_ms);
  /// The last high watermark seen in fetches (no round trip); -1 if unknown.
  [[nodiscard]] int64_t cached_high_watermark(const topic_partition& tp);

  /// Replaces the assignment; a negative `next_offset` reads the partition from its beginning.
  [[nodiscard]] status assign(const std::vector<partition_offset>& from);

  struct polled {
    std::vector<consumed_record> records;
    std::vector<int32_t> reached_end; ///< partitions at their end (of committed data) after this poll
  };
  /// Up to `max_records`, waiting at most `timeout_ms` for the first.
  [[nodiscard]] result<polled> poll(size_t max_records, int timeout_ms);

  void close();

 private:
  partition_reader() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> handle_;
  bool closed_ = false;
};

} // namespace freshet::kafka
