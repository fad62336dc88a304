#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "freshet/v1/ingest.pb.h"

namespace freshet::ingest {

struct incoming_event {
  std::string event_id; ///< empty = generate
  std::string payload;
  v1::PayloadFormat format = v1::PAYLOAD_FORMAT_JSON;
};

/// One client batch on its way through the publisher. Results arrive from Kafka delivery callbacks
/// on librdkafka's thread; the last one to arrive completes the job exactly once.
class publish_job {
 public:
  using completion = std::function<void(v1::PublishResponse)>;

  publish_job(std::string stream, std::vector<incoming_event> events, completion done);

  [[nodiscard]] const std::string& stream() const { return stream_; }
  [[nodiscard]] std::vector<incoming_event>& events() { return events_; }
  [[nodiscard]] int64_t received_at_ms() const { return received_at_ms_; }

  /// Records the outcome of event `index`. Thread-safe; each index is resolved once.
  void resolve(size_t index, v1::EventResult result);

 private:
  std::string stream_;
  std::vector<incoming_event> events_;
  completion done_;
  int64_t received_at_ms_;
  std::mutex mtx_;
  v1::PublishResponse response_;
  std::atomic<size_t> pending_;
};

/// A random RFC 4122 version-4 id for events that arrive without one.
[[nodiscard]] std::string generate_event_id();

} // namespace freshet::ingest
