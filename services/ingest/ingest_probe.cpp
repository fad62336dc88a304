#include "services/ingest/ingest_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::ingest {

ingest_probe::ingest_probe(prometheus::Registry& reg)
    : accepted_(prometheus::BuildCounter()
                  .Name("freshet_ingest_events_accepted_total")
                  .Help("Events acknowledged by Kafka on the raw topic")
                  .Register(reg)),
      rejected_(prometheus::BuildCounter()
                  .Name("freshet_ingest_events_rejected_total")
                  .Help("Events dead-lettered, by reason")
                  .Register(reg)),
      retry_(prometheus::BuildCounter()
               .Name("freshet_ingest_events_retry_total")
               .Help("Events neither accepted nor dead-lettered; the client was told to retry")
               .Register(reg)),
      batch_size_(prometheus::BuildHistogram()
                    .Name("freshet_ingest_batch_events")
                    .Help("Events per client batch")
                    .Register(reg)
                    .Add({}, metrics::size_buckets())),
      produce_latency_(prometheus::BuildHistogram()
                         .Name("freshet_ingest_produce_latency_seconds")
                         .Help("From receipt of a batch to Kafka's acknowledgement of an event")
                         .Register(reg)
                         .Add({}, metrics::latency_buckets())),
      queue_depth_(prometheus::BuildGauge()
                     .Name("freshet_ingest_producer_queue_depth")
                     .Help("Records waiting in the producer queue or in flight")
                     .Register(reg)
                     .Add({})) {}

void ingest_probe::accepted(const std::string& stream) {
  accepted_.Add({{"stream", stream}}).Increment();
}

void ingest_probe::rejected(const std::string& stream, const std::string& reason) {
  rejected_.Add({{"stream", stream}, {"reason", reason}}).Increment();
}

void ingest_probe::retry(const std::string& stream, const std::string& reason) {
  retry_.Add({{"stream", stream}, {"reason", reason}}).Increment();
}

void ingest_probe::batch_received(size_t events) {
  batch_size_.Observe(static_cast<double>(events));
}

void ingest_probe::produce_latency(double seconds) {
  produce_latency_.Observe(seconds);
}

void ingest_probe::queue_depth(int records) {
  queue_depth_.Set(records);
}

} // namespace freshet::ingest
