#include "common/stream/stage_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::stream {

stage_probe::stage_probe(prometheus::Registry& reg, const std::string& stage)
    : records_in_(prometheus::BuildCounter()
                    .Name("freshet_stage_records_in_total")
                    .Help("Records consumed by the stage")
                    .Register(reg)
                    .Add({{"stage", stage}})),
      records_out_(prometheus::BuildCounter()
                     .Name("freshet_stage_records_out_total")
                     .Help("Records produced by the stage")
                     .Register(reg)
                     .Add({{"stage", stage}})),
      commits_(prometheus::BuildCounter()
                 .Name("freshet_stage_commits_total")
                 .Help("Offset commits")
                 .Register(reg)
                 .Add({{"stage", stage}})),
      retries_(prometheus::BuildCounter()
                 .Name("freshet_stage_batch_retries_total")
                 .Help("Batches rewound and processed again after a failure")
                 .Register(reg)
                 .Add({{"stage", stage}})),
      batch_seconds_(prometheus::BuildHistogram()
                       .Name("freshet_stage_batch_seconds")
                       .Help("Time from poll to commit of one batch")
                       .Register(reg)
                       .Add({{"stage", stage}}, metrics::latency_buckets())) {}

void stage_probe::batch_processed(size_t in, size_t out, double seconds) {
  records_in_.Increment(static_cast<double>(in));
  records_out_.Increment(static_cast<double>(out));
  batch_seconds_.Observe(seconds);
}

void stage_probe::committed() {
  commits_.Increment();
}

void stage_probe::batch_retried() {
  retries_.Increment();
}

} // namespace freshet::stream
