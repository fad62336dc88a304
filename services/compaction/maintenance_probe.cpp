#include "services/compaction/maintenance_probe.hpp"

#include <prometheus/histogram.h>


namespace freshet::compaction {

namespace {

template <class Builder>
auto& family(Builder b, const char* name, const char* help, prometheus::Registry& reg) {
  return b.Name(name).Help(help).Register(reg);
}

} // namespace

maintenance_probe::maintenance_probe(prometheus::Registry& reg)
    : runs_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_runs_total",
                   "Maintenance jobs run, by table and job (optimize, zorder, vacuum, log_cleanup)", reg)),
      compacted_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_files_compacted_total",
                        "Data files OPTIMIZE / Z-order rewrote (removed), by table", reg)),
      written_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_files_written_total",
                      "Data files OPTIMIZE / Z-order wrote, by table", reg)),
      rewritten_bytes_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_bytes_rewritten_total",
                              "Bytes of data files OPTIMIZE / Z-order read and rewrote, by table", reg)),
      vacuumed_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_files_vacuumed_total",
                       "Data files VACUUM deleted, by table and kind (removed, orphan)", reg)),
      vacuumed_bytes_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_bytes_vacuumed_total",
                             "Bytes VACUUM deleted, by table", reg)),
      log_deleted_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_log_files_deleted_total",
                          "Log commits and checkpoints log cleanup deleted, by table", reg)),
      failures_(family(prometheus::BuildCounter(), "freshet_lake_maintenance_failures_total",
                       "Maintenance jobs that failed, by table, job and reason", reg)),
      seconds_(family(prometheus::BuildHistogram(), "freshet_lake_maintenance_seconds",
                      "Time a maintenance job took, by job", reg)) {}

void maintenance_probe::ran(const std::string& table, const std::string& job, double seconds) {
  runs_.Add({{"table", table}, {"job", job}}).Increment();
  seconds_.Add({{"job", job}}, prometheus::Histogram::BucketBoundaries{0.01, 0.1, 0.5, 1, 5, 30, 120, 600})
    .Observe(seconds);
}

void maintenance_probe::compacted(const std::string& table, int64_t removed, int64_t added, int64_t bytes) {
  compacted_.Add({{"table", table}}).Increment(static_cast<double>(removed));
  written_.Add({{"table", table}}).Increment(static_cast<double>(added));
  rewritten_bytes_.Add({{"table", table}}).Increment(static_cast<double>(bytes));
}

void maintenance_probe::vacuumed(const std::string& table, int64_t removed, int64_t orphans, int64_t bytes) {
  vacuumed_.Add({{"table", table}, {"kind", "removed"}}).Increment(static_cast<double>(removed));
  vacuumed_.Add({{"table", table}, {"kind", "orphan"}}).Increment(static_cast<double>(orphans));
  vacuumed_bytes_.Add({{"table", table}}).Increment(static_cast<double>(bytes));
}

void maintenance_probe::log_files_deleted(const std::string& table, int64_t files) {
  log_deleted_.Add({{"table", table}}).Increment(static_cast<double>(files));
}

void maintenance_probe::failed(const std::string& table, const std::string& job, const std::string& reason) {
  failures_.Add({{"table", table}, {"job", job}, {"reason", reason}}).Increment();
}

} // namespace freshet::compaction
