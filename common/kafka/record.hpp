#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

struct header {
  std::string key;
  std::string value;
};

/// A record to produce. `partition` < 0 lets the partitioner choose from the key.
struct outgoing_record {
  std::string topic;
  int32_t partition = -1;
  std::string key;
  std::string value;
  std::vector<header> headers;
  int64_t timestamp_ms = 0; ///< 0 = now
  bool tombstone = false;   ///< send a null value (a deletion on compacted topics); `value` is ignored
};

/// A record read from Kafka, owning copies of its bytes.
struct consumed_record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
  std::vector<header> headers;
  bool tombstone = false; ///< the value was null

  /// The first header with this key, or nullptr.
  [[nodiscard]] const std::string* find_header(std::string_view k) const {
    for (const auto& h : headers)
      if (h.key == k)
        return &h.value;
    return nullptr;
  }
};

/// Header names the platform stamps on records. Stable: external tools read them.
namespace headers {
inline constexpr const char* stream = "freshet.stream";
inline constexpr const char* event_id = "freshet.event_id";
inline constexpr const char* ingest_ts = "freshet.ingest_ts";
inline constexpr const char* schema_id = "freshet.schema_id";
inline constexpr const char* reason = "freshet.reason";
inline constexpr const char* message = "freshet.message";
inline constexpr const char* stage = "freshet.stage";
inline constexpr const char* source_topic = "freshet.source_topic";
inline constexpr const char* source_partition = "freshet.source_partition";
inline constexpr const char* source_offset = "freshet.source_offset";
inline constexpr const char* received_at = "freshet.received_at";
} // namespace headers

} // namespace freshet::kafka

namespace freshet::kafka {

/// The same record (key, value, headers, timestamp) addressed to another topic: what a stage emits
/// when it passes an event on unchanged.
[[nodiscard]] inline outgoing_record forward(const consumed_record& in, std::string topic) {
  return outgoing_record{std::move(topic), -1, in.key, in.value, in.headers, in.timestamp_ms, in.tombstone};
}

} // namespace freshet::kafka
