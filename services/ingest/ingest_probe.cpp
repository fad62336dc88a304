#include "services/ingest/ingest_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::ingest {

namespace {

prometheus::Histogram::BucketBoundaries byte_buckets() {
  return {256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20, 64 << 20};
}

} // namespace

ingest_probe::ingest_probe(prometheus::Registry& reg)
    : accepted_(prometheus::BuildCounter()
                  .Name("freshet_ingest_events_accepted_total")
                  .Help("Events acknowledged by Kafka on the raw topic, by stream")
                  .Register(reg)),
      rejected_(prometheus::BuildCounter()
                  .Name("freshet_ingest_events_rejected_total")
                  .Help("Events dead-lettered (acknowledged on the DLQ), by stream and reason")
                  .Register(reg)),
      retry_(prometheus::BuildCounter()
               .Name("freshet_ingest_events_retry_total")
               .Help("Events neither accepted nor dead-lettered; the client was told to retry, by stream and reason")
               .Register(reg)),
      refused_(prometheus::BuildCounter()
                 .Name("freshet_ingest_requests_refused_total")
                 .Help("Whole requests refused before any event was taken, by reason")
                 .Register(reg)),
      batch_size_(prometheus::BuildHistogram()
                    .Name("freshet_ingest_batch_events")
                    .Help("Events per client batch")
                    .Register(reg)
                    .Add({}, metrics::size_buckets())),
      batch_bytes_(prometheus::BuildHistogram()
                     .Name("freshet_ingest_batch_bytes")
                     .Help("Payload bytes per client batch")
                     .Register(reg)
                     .Add({}, byte_buckets())),
      produce_latency_(prometheus::BuildHistogram()
                         .Name("freshet_ingest_produce_latency_seconds")
                         .Help("From receipt of a batch to Kafka's acknowledgement of its last accepted event (when its answer "
                               "can go out), once per batch with accepted events")
                         .Register(reg)
                         .Add({}, metrics::latency_buckets())),
      queue_depth_(prometheus::BuildGauge()
                     .Name("freshet_ingest_producer_queue_depth")
                     .Help("Records waiting in the producer queue or in flight")
                     .Register(reg)
                     .Add({})),
      inflight_bytes_(prometheus::BuildGauge()
                        .Name("freshet_ingest_inflight_bytes")
                        .Help("Payload bytes of batches taken but not yet answered (bounded by ingest.max_inflight_bytes)")
                        .Register(reg)
                        .Add({})) {}

void ingest_probe::accepted(const std::string& stream, uint64_t n) {
  accepted_.Add({{"stream", stream}}).Increment(static_cast<double>(n));
}

void ingest_probe::rejected(const std::string& stream, const std::string& reason, uint64_t n) {
  rejected_.Add({{"stream", stream}, {"reason", reason}}).Increment(static_cast<double>(n));
}

void ingest_probe::retry(const std::string& stream, const std::string& reason, uint64_t n) {
  retry_.Add({{"stream", stream}, {"reason", reason}}).Increment(static_cast<double>(n));
}

void ingest_probe::request_refused(const std::string& reason) {
  refused_.Add({{"reason", reason}}).Increment();
}

void ingest_probe::batch_received(size_t events, size_t bytes) {
  batch_size_.Observe(static_cast<double>(events));
  batch_bytes_.Observe(static_cast<double>(bytes));
}

void ingest_probe::produce_latency(double seconds) {
  produce_latency_.Observe(seconds);
}

void ingest_probe::queue_depth(int records) {
  queue_depth_.Set(records);
}

void ingest_probe::inflight_bytes(int64_t bytes) {
  inflight_bytes_.Set(static_cast<double>(bytes));
}

} // namespace freshet::ingest
