#include "services/compaction/lake_probe.hpp"

#include "common/metrics/metrics_server.hpp"

namespace freshet::compaction {

namespace {

template <class Builder>
auto& family(Builder b, const char* name, const char* help, prometheus::Registry& reg) {
  return b.Name(name).Help(help).Register(reg);
}

} // namespace

lake_probe::lake_probe(prometheus::Registry& reg)
    : commits_(family(prometheus::BuildCounter(), "freshet_lake_commits_total",
                      "Delta commits, by table and kind (data, progress)", reg)),
      files_(family(prometheus::BuildCounter(), "freshet_lake_files_committed_total", "Data files committed, by table", reg)),
      rows_(family(prometheus::BuildCounter(), "freshet_lake_rows_committed_total", "Rows committed, by table", reg)),
      bytes_(family(prometheus::BuildCounter(), "freshet_lake_bytes_committed_total",
                    "Bytes of data files committed, by table", reg)),
      races_(family(prometheus::BuildCounter(), "freshet_lake_commit_races_total",
                    "Commits that lost a put-if-absent race and retried on the next version, by table", reg)),
      failures_(family(prometheus::BuildCounter(), "freshet_lake_commit_failures_total",
                       "Commits that failed, by table and reason (conflict, storage, ...)", reg)),
      checkpoints_(family(prometheus::BuildCounter(), "freshet_lake_checkpoints_total", "Checkpoints written, by table",
                          reg)),
      buffered_(family(prometheus::BuildCounter(), "freshet_lake_rows_buffered_total",
                       "Rows appended to open data files, by table", reg)),
      skipped_(family(prometheus::BuildCounter(), "freshet_lake_records_skipped_total",
                      "Records a table already holds (replays after a restart or rebalance)", reg)
                 .Add({})),
      rejected_(family(prometheus::BuildCounter(), "freshet_lake_records_rejected_total",
                       "Records written to no table, by reason (sent to the DLQ topic)", reg)),
      open_files_(family(prometheus::BuildGauge(), "freshet_lake_open_files", "Data files being written", reg).Add({})),
      open_bytes_(family(prometheus::BuildGauge(), "freshet_lake_open_bytes",
                         "Estimated bytes of the data files being written", reg)
                    .Add({})),
      resyncs_(family(prometheus::BuildCounter(), "freshet_lake_resyncs_total",
                      "Restarts of the sink from the tables' txn versions, by reason", reg)),
      commit_seconds_(family(prometheus::BuildHistogram(), "freshet_lake_commit_seconds",
                             "Time to close a table's data files and commit them", reg)
                        .Add({}, metrics::latency_buckets())) {}

void lake_probe::committed(const std::string& table, int64_t files, int64_t rows, int64_t bytes, double seconds,
                           int attempts) {
  commits_.Add({{"table", table}, {"kind", "data"}}).Increment();
  files_.Add({{"table", table}}).Increment(static_cast<double>(files));
  rows_.Add({{"table", table}}).Increment(static_cast<double>(rows));
  bytes_.Add({{"table", table}}).Increment(static_cast<double>(bytes));
  if (attempts > 1)
    races_.Add({{"table", table}}).Increment(attempts - 1);
  commit_seconds_.Observe(seconds);
}

void lake_probe::progress_committed(const std::string& table) {
  commits_.Add({{"table", table}, {"kind", "progress"}}).Increment();
}

void lake_probe::commit_failed(const std::string& table, const std::string& reason) {
  failures_.Add({{"table", table}, {"reason", reason}}).Increment();
}

void lake_probe::checkpointed(const std::string& table) {
  checkpoints_.Add({{"table", table}}).Increment();
}

void lake_probe::rows_buffered(const std::string& table, int64_t rows) {
  buffered_.Add({{"table", table}}).Increment(static_cast<double>(rows));
}

void lake_probe::skipped(int64_t records) {
  skipped_.Increment(static_cast<double>(records));
}

void lake_probe::rejected(const std::string& reason) {
  rejected_.Add({{"reason", reason}}).Increment();
}

void lake_probe::open_files(int64_t files, int64_t bytes) {
  open_files_.Set(static_cast<double>(files));
  open_bytes_.Set(static_cast<double>(bytes));
}

void lake_probe::resynced(const std::string& reason) {
  resyncs_.Add({{"reason", reason}}).Increment();
}

} // namespace freshet::compaction
