#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "freshet/v1/ingest.pb.h"

namespace freshet::ingest {

struct incoming_event {
  std::string event_id; ///< empty = taken from the payload, else generated
  std::string payload;
  v1::PayloadFormat format = v1::PAYLOAD_FORMAT_JSON;
};

/// One client batch on its way through a publisher. Each event is resolved exactly once — by the
/// publisher (refusals it cannot even try) or by a Kafka delivery callback on librdkafka's thread —
/// and the last resolution completes the job: `on_complete` (admission release), then `done`.
///
/// Threading: results go to distinct pre-allocated slots, so resolutions need no lock and no shared
/// counter; the final `fetch_sub` orders them before completion, which builds the response (and
/// its accepted / rejected totals) from the slots. A publisher `hold`s the job while it is still
/// producing, so the job cannot complete (and be freed) under its feet.
class publish_job {
 public:
  using completion = std::function<void(v1::PublishResponse)>;

  publish_job(std::string stream, std::vector<incoming_event> events, completion done);

  [[nodiscard]] const std::string& stream() const { return stream_; }
  [[nodiscard]] std::vector<incoming_event>& events() { return events_; }
  [[nodiscard]] int64_t received_at_ms() const { return received_at_ms_; }
  [[nodiscard]] int64_t received_mono_ns() const { return received_mono_ns_; }

  /// Runs at completion, before `done` (e.g. give back the admitted bytes). Set before submitting.
  void on_complete(std::function<void(const v1::PublishResponse&)> fn) { on_complete_ = std::move(fn); }

  /// Event `index`'s id as the result will show it (set before it is produced).
  void set_event_id(size_t index, const std::string& id);
  void set_event_id(size_t index, std::string&& id);
  [[nodiscard]] const std::string& event_id(size_t index) const;

  /// Records the outcome of event `index`. Thread-safe; each index is resolved once.
  void resolve(size_t index, v1::EventResult result);
  void accepted(size_t index, int32_t partition, int64_t offset);
  void rejected(size_t index, const std::string& reason, const std::string& message);
  void retry(size_t index, const std::string& reason, const std::string& message);

  /// The job owns itself until it completes, so that delivery callbacks need only a raw pointer.
  void keep_alive(std::shared_ptr<publish_job> self) { self_ = std::move(self); }

  /// Keeps `x` alive as long as the job (past its last delivery callback): the publisher's
  /// per-event delivery targets, one allocation per batch rather than one per event.
  void attach(std::shared_ptr<void> x) { attachment_ = std::move(x); }

  /// While held, the job does not complete even when every event is resolved.
  void hold() { pending_.fetch_add(1); }
  void release() { finish_one(); }

 private:
  /// One event's outcome until completion builds the response. The common outcome (accepted) is
  /// three plain stores; the rest, rarer, carry a whole result.
  struct slot {
    std::string event_id;
    v1::EventStatus status = v1::EVENT_STATUS_UNSPECIFIED;
    int32_t partition = 0;
    int64_t offset = 0;
    std::unique_ptr<v1::EventResult> other; ///< set for every outcome but accepted
  };

  void finish_one();
  void build_response();

  std::shared_ptr<void> attachment_; ///< destroyed last
  std::string stream_;
  std::vector<incoming_event> events_;
  completion done_;
  std::function<void(const v1::PublishResponse&)> on_complete_;
  int64_t received_at_ms_;
  int64_t received_mono_ns_;
  std::vector<slot> slots_;
  v1::PublishResponse response_;
  std::atomic<size_t> pending_;
  std::shared_ptr<publish_job> self_;
};

/// A random RFC 4122 version-4 id for events that arrive without one.
[[nodiscard]] std::string generate_event_id();

} // namespace freshet::ingest
