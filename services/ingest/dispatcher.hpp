#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "services/ingest/actors.hpp"
#include "services/ingest/admission.hpp"
#include "services/ingest/ingest_probe.hpp"
#include "services/ingest/publish_job.hpp"

namespace freshet::ingest {

struct batch_limits {
  std::size_t max_events = 10000;
  std::size_t max_bytes = 16 << 20; ///< payload bytes of one batch
};

/// Why a whole request was not taken. The front ends map it to their status codes:
/// empty / too_large -> INVALID_ARGUMENT, HTTP 400 / 413; overloaded -> RESOURCE_EXHAUSTED, 429;
/// kafka_down -> UNAVAILABLE, 503 (both with a retry hint).
struct refusal {
  enum class kind { none, empty, too_large, overloaded, kafka_down };
  kind what = kind::none;
  std::string reason; ///< `reasons.hpp` code
  std::string message;
  int64_t retry_after_ms = 0;
  explicit operator bool() const { return what != kind::none; }
};

/// Where both front ends hand batches: checks a batch's size, admits it against the memory bound
/// and Kafka's health, and gives it to a publisher (round robin). On completion the job gives its
/// bytes back and its outcomes are counted. Thread-safe; never blocks.
class dispatcher {
 public:
  dispatcher(std::vector<publisher_actor> publishers, admission& gate, ingest_probe& probe, batch_limits limits);

  /// Size checks alone (nothing admitted).
  [[nodiscard]] refusal check(std::size_t events, std::size_t bytes) const;
  /// Checks, admits and starts the job; on refusal the job is not started (and never completes).
  [[nodiscard]] refusal submit(std::shared_ptr<publish_job> job, std::size_t bytes);
  /// For client streams: starts the job even over the bound (the stream then waits for room
  /// before it reads on). While Kafka is down every event is answered RETRY at once.
  void submit_anyway(std::shared_ptr<publish_job> job, std::size_t bytes);

  [[nodiscard]] admission& gate() { return gate_; }
  [[nodiscard]] const batch_limits& limits() const { return limits_; }
  [[nodiscard]] ingest_probe& probe() { return probe_; }

  /// Sum of the payload sizes of a batch.
  [[nodiscard]] static std::size_t payload_bytes(const std::vector<incoming_event>& events);

 private:
  void start(std::shared_ptr<publish_job> job, std::size_t bytes);

  std::vector<publisher_actor> publishers_;
  admission& gate_;
  ingest_probe& probe_;
  batch_limits limits_;
  std::atomic<std::size_t> next_{0};
};

} // namespace freshet::ingest
