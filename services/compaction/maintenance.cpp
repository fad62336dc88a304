#include "services/compaction/maintenance.hpp"

#include <chrono>
#include <filesystem>

#include "common/base/clock.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_cleanup.hpp"
#include "common/lake/optimize.hpp"
#include "common/lake/vacuum.hpp"
#include "common/log/logger.hpp"
#include "services/compaction/maintenance_probe.hpp"

namespace freshet::compaction {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("compaction.maintenance");
  return l;
}

double seconds_since(int64_t start_ns) {
  return static_cast<double>(mono_ns() - start_ns) / 1e9;
}

} // namespace

std::string failure_reason(const error& e) {
  for (auto c : {lake::errc::version_taken, lake::errc::conflict, lake::errc::not_a_table, lake::errc::version_not_found,
                 lake::errc::malformed_log, lake::errc::unsupported, lake::errc::storage, lake::errc::invalid_argument,
                 lake::errc::schema_mismatch})
    if (lake::is(e, c))
      return lake::to_string(c);
  return "other";
}

maintenance::maintenance(std::string lake_dir, std::map<std::string, std::vector<std::string>> zorder_by,
                         maintenance_settings settings, maintenance_probe& probe)
    : lake_dir_(std::move(lake_dir)), zorder_by_(std::move(zorder_by)), settings_(std::move(settings)), probe_(probe) {}

maintenance::~maintenance() = default;

lake::table* maintenance::open(const std::string& name) {
  if (auto it = tables_.find(name); it != tables_.end())
    return it->second.get();
  auto t = lake::table::open(lake_dir_ + "/" + name);
  if (!t.ok()) {
    if (!lake::is(t.err(), lake::errc::not_a_table)) // a folder being created: next round
      FRESHET_LOG(warn, logger(), "{}: cannot open for maintenance: {}", name, t.err().describe());
    return nullptr;
  }
  return tables_.emplace(name, std::move(*t)).first->second.get();
}

int maintenance::run_once() {
  int failures = 0;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(lake_dir_, ec))
    if (e.is_directory() && std::filesystem::exists(e.path() / "_delta_log"))
      names.push_back(e.path().filename().string());
  if (ec) {
    FRESHET_LOG(err, logger(), "cannot list {}: {}", lake_dir_, ec.message());
    return 1;
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names)
    if (auto* t = open(name))
      failures += maintain(name, *t);
  return failures;
}

int maintenance::maintain(const std::string& name, lake::table& t) {
  int failures = 0;
  auto fail = [&](const char* job, const error& e) {
    ++failures;
    const auto reason = failure_reason(e);
    probe_.failed(name, job, reason);
    FRESHET_LOG(warn, logger(), "{}: {} failed ({}): {}", name, job, reason, e.describe());
  };

  lake::optimize_options o;
  o.target_file_bytes = settings_.target_file_bytes;
  o.min_files = settings_.min_files;
  o.parquet = settings_.parquet;
  if (auto it = zorder_by_.find(name); it != zorder_by_.end())
    o.zorder_by = it->second;
  const char* optimize_job = o.zorder_by.empty() ? "optimize" : "zorder";
  auto start = mono_ns();
  if (auto r = lake::optimize(t, o); !r.ok()) {
    fail(optimize_job, r.err());
  } else {
    probe_.ran(name, optimize_job, seconds_since(start));
    if (r->version >= 0)
      probe_.compacted(name, r->files_removed, r->files_added, r->bytes_removed);
  }

  if (settings_.vacuum) {
    lake::vacuum_options v;
    v.retention_ms = settings_.vacuum_retention_ms;
    v.force = settings_.vacuum_force;
    start = mono_ns();
    if (auto r = lake::vacuum(t, v); !r.ok()) {
      fail("vacuum", r.err());
    } else {
      probe_.ran(name, "vacuum", seconds_since(start));
      probe_.vacuumed(name, r->removed_files, r->orphans, r->bytes);
      if (r->failed > 0)
        fail("vacuum", lake::make_lake_error(lake::errc::storage, std::to_string(r->failed) + " files could not be deleted"));
    }
  }

  if (settings_.log_cleanup) {
    start = mono_ns();
    if (auto r = lake::cleanup_log(t.store(), t.latest().metadata(), {}); !r.ok()) {
      fail("log_cleanup", r.err());
    } else {
      probe_.ran(name, "log_cleanup", seconds_since(start));
      probe_.log_files_deleted(name, static_cast<int64_t>(r->deleted.size()));
    }
  }
  return failures;
}

} // namespace freshet::compaction
