#pragma once

// The events the stage benchmark feeds its stages: what ingest writes to events.raw.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "bench/stage_common.hpp"

namespace freshet::bench::stage {

/// Clickstream `page_view` events as JSON of exactly `bytes` bytes, keyed by user_id, valid under
/// the example pipeline's expectations (so the quality gate routes them to valid). Bodies come from
/// a pool built once; event `i` gets its own `event_id` (16 hex digits, in the JSON and the header),
/// so an event-id dedupe sees no duplicates within a topic.
class event_pool {
 public:
  explicit event_pool(int64_t bytes, size_t count = 4096);

  /// Event `i`'s value, written into `out` (reused between calls).
  void value(int64_t i, std::string& out) const;
  [[nodiscard]] const std::string& key(int64_t i) const { return keys_[index(i)]; }
  [[nodiscard]] static std::string event_id(int64_t i);

 private:
  [[nodiscard]] size_t index(int64_t i) const { return static_cast<size_t>(i) % values_.size(); }

  std::vector<std::string> values_, keys_;
};

/// Counts delivery reports (served by poll()/flush(), so on whichever thread calls them).
class delivery_counter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override;
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> without_offset{0}; ///< delivered, but the report names no offset
  std::string last_error; ///< written on the serving thread; read after flush
  /// Per partition, one past the highest offset a delivery report named; read after flush.
  std::map<int32_t, int64_t> next_offsets;
  [[nodiscard]] int64_t next_offsets_total() const;
};

/// A raw librdkafka producer with the services' producer settings (`producer_config`).
struct raw_producer {
  delivery_counter reports; // declared first: outlives the handle that calls it
  std::unique_ptr<RdKafka::Producer> handle;
};
[[nodiscard]] std::unique_ptr<raw_producer> make_producer(const options& o, const std::string& client_id);

/// Enqueues event `i` on `p` the way ingest publishes it: key user_id, record timestamp `ts_ms`,
/// headers freshet.stream=page_view, freshet.event_id and freshet.ingest_ts=`ts_ms`. Serves
/// delivery reports while the local queue is full. Throws on a non-retriable error.
void produce_event(RdKafka::Producer& p, const event_pool& pool, const std::string& topic, int64_t i, int64_t ts_ms);

/// Produces `n` events to `topic` with the services' producer settings, each stamped with the
/// time it was produced, and waits until all are acknowledged.
void fill_topic(const options& o, const event_pool& pool, const std::string& topic, int64_t n);

} // namespace freshet::bench::stage
