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

namespace freshet::enrich {

/// Reads every partition of one topic by assignment — no consumer group membership, no commits —
/// and says when a partition's end is reached: what a reference-table loader needs and the
/// group consumer of `common/kafka` does not offer.
///
/// It is the one place outside `common/kafka` that calls librdkafka (converting its codes with
/// the `common/kafka` glue); it belongs there as `kafka::reader` once that library's owner takes it.
/// Not thread-safe: one owner (the loader actor).
class dim_reader {
 public:
  /// `cfg` is a consumer config; `enable.partition.eof` is forced on.
  [[nodiscard]] static result<std::unique_ptr<dim_reader>> create(kafka::config_map cfg);
  ~dim_reader();

  dim_reader(const dim_reader&) = delete;
  dim_reader& operator=(const dim_reader&) = delete;

  /// Low and high watermark of a partition, asked of the broker.
  [[nodiscard]] result<std::pair<int64_t, int64_t>> query_watermarks(const kafka::topic_partition& tp,
                                                                     int timeout_ms);
  /// The last high watermark seen in fetches (no round trip); -1 if unknown.
  [[nodiscard]] int64_t cached_high_watermark(const kafka::topic_partition& tp);

  /// Replaces the assignment; a negative `next_offset` reads the partition from its beginning.
  [[nodiscard]] status assign(const std::vector<kafka::partition_offset>& from);

  struct polled {
    std::vector<kafka::consumed_record> records;
    std::vector<int32_t> reached_end; ///< partitions at their end (of committed data) after this poll
  };
  /// Up to `max_records`, waiting at most `timeout_ms` for the first.
  [[nodiscard]] result<polled> poll(size_t max_records, int timeout_ms);

  void close();

 private:
  dim_reader() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> handle_;
  bool closed_ = false;
};

} // namespace freshet::enrich
