#include "common/lake/vacuum.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <sys/stat.h>

#include "common/base/clock.hpp"
#include "common/lake/checkpoint.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/table.hpp"
#include "common/log/logger.hpp"

namespace freshet::lake {

namespace {

namespace fs = std::filesystem;

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("lake.vacuum");
  return l;
}

constexpr int64_t week_ms = 7LL * 24 * 3600 * 1000;

/// Hidden entries are not data: `_delta_log`, `_change_data`, `.crc` files, editors' temp files.
/// Partition folders (`_col=value`) are data even when their column starts with '_'.
bool hidden(const std::string& name) {
  return !name.empty() && (name[0] == '.' || name[0] == '_') && name.find('=') == std::string::npos;
}

/// Paths (decoded, relative to the root) a version within the retention still needs although the
/// latest snapshot does not have them.
result<std::set<std::string>> removed_within_retention(const table& t, int64_t boundary) {
  std::set<std::string> out;
  for (const auto& [path, r] : t.latest().tombstones())
    if (!r.deletion_timestamp || *r.deletion_timestamp > boundary)
      out.insert(decode_path(path));
  auto times = commit_times(t.store());
  if (!times.ok())
    return times.err();
  for (auto it = times->rbegin(); it != times->rend() && it->timestamp_ms > boundary; ++it) {
    if (it->version > t.latest().version())
      continue;
    auto actions = read_commit(t.store(), it->version);
    if (!actions.ok())
      return actions.err();
    for (const auto& a : *actions)
      if (const auto* r = std::get_if<remove_action>(&a))
        out.insert(decode_path(r->path));
  }
  return out;
}

} // namespace

int64_t deleted_file_retention_ms(const metadata_action& m) {
  if (auto it = m.configuration.find("delta.deletedFileRetentionDuration"); it != m.configuration.end())
    return parse_interval_ms(it->second).value_or(week_ms);
  return week_ms;
}

result<vacuum_report> vacuum(table& t, const vacuum_options& o) {
  auto refreshed = t.refresh();
  if (!refreshed.ok())
    return refreshed.err();
  const auto& s = t.latest();
  vacuum_report report;
  report.dry_run = o.dry_run;
  report.read_version = s.version();
  const int64_t table_retention = deleted_file_retention_ms(s.metadata());
  report.retention_ms = o.retention_ms.value_or(table_retention);
  if (report.retention_ms < 0)
    return make_lake_error(errc::invalid_argument, "a negative retention");
  if (report.retention_ms < table_retention && !o.force)
    return make_lake_error(errc::invalid_argument,
                           "retention " + std::to_string(report.retention_ms) + " ms is below the table's " +
                             "delta.deletedFileRetentionDuration (" + std::to_string(table_retention) +
                             " ms): files concurrent writers and readers still use could go; force it to proceed");
  const int64_t now = o.now_ms ? o.now_ms : now_ms();
  const int64_t boundary = now - report.retention_ms;

  std::set<std::string> live;
  for (const auto& [path, add] : s.files())
    live.insert(decode_path(path));
  auto needed = removed_within_retention(t, boundary);
  if (!needed.ok())
    return needed.err();
  std::set<std::string> ever_removed; // for the report: removed vs orphan
  for (const auto& [path, r] : s.tombstones())
    ever_removed.insert(decode_path(path));

  std::vector<std::pair<std::string, int64_t>> doomed; // relative path, size
  std::error_code ec;
  const fs::path root{t.root()};
  fs::recursive_directory_iterator it{root, fs::directory_options::none, ec};
  if (ec)
    return make_lake_error(errc::storage, t.root() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator{}; it.increment(ec)) {
    if (ec)
      return make_lake_error(errc::storage, t.root() + ": " + ec.message());
    const auto name = it->path().filename().string();
    if (hidden(name) || (it.depth() == 0 && name == "_delta_log")) {
      if (it->is_directory(ec))
        it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    ++report.scanned;
    const auto rel = it->path().lexically_relative(root).generic_string();
    if (live.contains(rel))
      continue;
    const int64_t modified = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    if (needed->contains(rel) || modified > boundary) {
      ++report.kept_for_retention;
      continue;
    }
    doomed.emplace_back(rel, static_cast<int64_t>(st.st_size));
  }
  std::sort(doomed.begin(), doomed.end());
  for (const auto& [rel, size] : doomed) {
    if (!o.dry_run && !fs::remove(root / rel, ec) && ec) {
      ++report.failed;
      FRESHET_LOG(warn, logger(), "{}: cannot delete {}: {}", t.root(), rel, ec.message());
      continue;
    }
    report.deleted.push_back(rel);
    report.bytes += size;
    ++(ever_removed.contains(rel) ? report.removed_files : report.orphans);
  }
  FRESHET_LOG(info, logger(), "{}: VACUUM{} retention {} ms at v{}: {} files ({} bytes; {} removed, {} orphans), {} kept for retention",
              t.root(), o.dry_run ? " DRY RUN" : "", report.retention_ms, report.read_version, report.deleted.size(),
              report.bytes, report.removed_files, report.orphans, report.kept_for_retention);
  return report;
}

} // namespace freshet::lake
