#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace freshet::compaction {

/// Metrics of the maintenance jobs (OPTIMIZE, Z-order, VACUUM, log cleanup). Called from the
/// maintenance actor only; the counters are thread-safe.
class maintenance_probe {
 public:
  explicit maintenance_probe(prometheus::Registry& reg);

  /// `job` (optimize, zorder, vacuum, log_cleanup) ran on `table` in `seconds`.
  void ran(const std::string& table, const std::string& job, double seconds);
  /// An OPTIMIZE commit: `removed` files of `bytes` bytes rewritten into `added` files.
  void compacted(const std::string& table, int64_t removed, int64_t added, int64_t bytes);
  /// VACUUM deleted files: `removed` the log had removed, `orphans` never committed.
  void vacuumed(const std::string& table, int64_t removed, int64_t orphans, int64_t bytes);
  void log_files_deleted(const std::string& table, int64_t files);
  /// A job that failed, by reason (conflict, storage, invalid_argument, ...).
  void failed(const std::string& table, const std::string& job, const std::string& reason);

 private:
  prometheus::Family<prometheus::Counter>& runs_;
  prometheus::Family<prometheus::Counter>& compacted_;
  prometheus::Family<prometheus::Counter>& written_;
  prometheus::Family<prometheus::Counter>& rewritten_bytes_;
  prometheus::Family<prometheus::Counter>& vacuumed_;
  prometheus::Family<prometheus::Counter>& vacuumed_bytes_;
  prometheus::Family<prometheus::Counter>& log_deleted_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Histogram>& seconds_;
};

} // namespace freshet::compaction
