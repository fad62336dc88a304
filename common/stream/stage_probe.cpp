#include "common/stream/stage_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::stream {

namespace {

prometheus::Counter& stage_counter(prometheus::Registry& reg, const char* name, const char* help,
                                   const std::string& stage) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(reg).Add({{"stage", stage}});
}

} // namespace

stage_probe::stage_probe(prometheus::Registry& reg, const std::string& stage, const std::string& group)
    : group_(group),
      records_in_(stage_counter(reg, "freshet_stage_records_in_total", "Records consumed by the stage", stage)),
      records_out_(stage_counter(reg, "freshet_stage_records_out_total", "Records produced by the stage", stage)),
      changelog_records_(stage_counter(reg, "freshet_stage_changelog_records_total",
                                       "State changelog records produced (one per changed key per transaction)",
                                       stage)),
      commits_(stage_counter(reg, "freshet_stage_commits_total", "Committed transactions (or offset commits)", stage)),
      aborts_(prometheus::BuildCounter()
                .Name("freshet_stage_aborts_total")
                .Help("Aborted transactions, by reason")
                .Register(reg)),
      retries_(stage_counter(reg, "freshet_stage_batch_retries_total",
                             "Batches rewound and processed again after a failure", stage)),
      rebalances_(prometheus::BuildCounter()
                    .Name("freshet_stage_rebalances_total")
                    .Help("Partition assignments and revocations")
                    .Register(reg)),
      producer_rebuilds_(stage_counter(reg, "freshet_stage_producer_rebuilds_total",
                                       "Transactional producers replaced after a fatal error", stage)),
      consumer_replacements_(stage_counter(reg, "freshet_stage_consumer_replacements_total",
                                           "Consumers replaced after a fatal error (e.g. fenced static member)", stage)),
      commit_seconds_(prometheus::BuildHistogram()
                        .Name("freshet_stage_commit_seconds")
                        .Help("Time to commit one transaction (offsets included)")
                        .Register(reg)
                        .Add({{"stage", stage}}, metrics::latency_buckets())),
      lag_(prometheus::BuildGauge()
             .Name("kafka_consumergroup_lag")
             .Help("Records between the group's committed offset and the partition's end")
             .Register(reg)),
      restored_records_(stage_counter(reg, "freshet_stage_state_restored_records_total",
                                      "State entries restored from the changelog", stage)),
      restore_seconds_(prometheus::BuildHistogram()
                         .Name("freshet_stage_state_restore_seconds")
                         .Help("Time to restore newly assigned partitions' state from the changelog")
                         .Register(reg)
                         .Add({{"stage", stage}}, metrics::latency_buckets())),
      state_bytes_(prometheus::BuildGauge()
                     .Name("freshet_stage_state_bytes")
                     .Help("Approximate size of the local state store")
                     .Register(reg)
                     .Add({{"stage", stage}})),
      stage_(stage) {}

void stage_probe::batch_processed(size_t in, size_t out) {
  records_in_.Increment(static_cast<double>(in));
  records_out_.Increment(static_cast<double>(out));
}

void stage_probe::changelog_written(size_t records) {
  changelog_records_.Increment(static_cast<double>(records));
  records_out_.Increment(static_cast<double>(records));
}

void stage_probe::committed(double seconds) {
  commits_.Increment();
  commit_seconds_.Observe(seconds);
}

void stage_probe::aborted(const std::string& reason) {
  aborts_.Add({{"stage", stage_}, {"reason", reason}}).Increment();
}

void stage_probe::batch_retried() {
  retries_.Increment();
}

void stage_probe::rebalanced(const std::string& kind, size_t partitions) {
  rebalances_.Add({{"stage", stage_}, {"kind", kind}}).Increment(static_cast<double>(partitions));
}

void stage_probe::producer_rebuilt() {
  producer_rebuilds_.Increment();
}

void stage_probe::consumer_replaced() {
  consumer_replacements_.Increment();
}

void stage_probe::lag(const std::string& topic, int32_t partition, int64_t records) {
  lag_.Add({{"consumergroup", group_}, {"topic", topic}, {"partition", std::to_string(partition)}})
    .Set(static_cast<double>(records));
}

void stage_probe::forget_partition(const std::string& topic, int32_t partition) {
  lag_.Remove(&lag_.Add({{"consumergroup", group_}, {"topic", topic}, {"partition", std::to_string(partition)}}));
}

void stage_probe::state_restored(size_t records, double seconds) {
  restored_records_.Increment(static_cast<double>(records));
  restore_seconds_.Observe(seconds);
}

void stage_probe::state_size(uint64_t bytes) {
  state_bytes_.Set(static_cast<double>(bytes));
}

} // namespace freshet::stream
