#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::compaction {

/// The lake writer's metrics. Called from the sink actor only, but the counters are thread-safe.
class lake_probe {
 public:
  explicit lake_probe(prometheus::Registry& reg);

  /// A Delta commit of `table` with `files` data files holding `rows` rows and `bytes` bytes.
  void committed(const std::string& table, int64_t files, int64_t rows, int64_t bytes, double seconds, int attempts);
  /// A commit that only moved the table's txn versions (the table had no new rows).
  void progress_committed(const std::string& table);
  void commit_failed(const std::string& table, const std::string& reason);
  void checkpointed(const std::string& table);
  /// Rows appended to open data files (not yet committed).
  void rows_buffered(const std::string& table, int64_t rows);
  /// Records already in the table (a replay after a restart or rebalance), skipped.
  void skipped(int64_t records);
  /// Records not written to any table, by reason (they go to the DLQ).
  void rejected(const std::string& reason);
  /// Open data files and their estimated bytes across tables.
  void open_files(int64_t files, int64_t bytes);
  /// The whole sink started over from the tables' txn versions (after a failed commit or lost partitions).
  void resynced(const std::string& reason);

 private:
  prometheus::Family<prometheus::Counter>& commits_;
  prometheus::Family<prometheus::Counter>& files_;
  prometheus::Family<prometheus::Counter>& rows_;
  prometheus::Family<prometheus::Counter>& bytes_;
  prometheus::Family<prometheus::Counter>& races_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Counter>& checkpoints_;
  prometheus::Family<prometheus::Counter>& buffered_;
  prometheus::Counter& skipped_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& open_files_;
  prometheus::Gauge& open_bytes_;
  prometheus::Family<prometheus::Counter>& resyncs_;
  prometheus::Histogram& commit_seconds_;
};

} // namespace freshet::compaction
