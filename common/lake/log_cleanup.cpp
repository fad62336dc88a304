#include "common/lake/log_cleanup.hpp"

#include <map>

#include "common/base/clock.hpp"
#include "common/lake/checkpoint.hpp"
#include "common/lake/log_paths.hpp"
#include "common/log/logger.hpp"

namespace freshet::lake {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("lake.log_cleanup");
  return l;
}

constexpr int64_t thirty_days_ms = 30LL * 24 * 3600 * 1000;

} // namespace

int64_t log_retention_ms(const metadata_action& m) {
  if (auto it = m.configuration.find("delta.logRetentionDuration"); it != m.configuration.end())
    return parse_interval_ms(it->second).value_or(thirty_days_ms);
  return thirty_days_ms;
}

result<log_cleanup_report> cleanup_log(log_store& store, const metadata_action& m, const log_cleanup_options& o) {
  log_cleanup_report report;
  report.retention_ms = o.retention_ms.value_or(log_retention_ms(m));
  const int64_t boundary = (o.now_ms ? o.now_ms : now_ms()) - report.retention_ms;
  auto entries = store.list();
  if (!entries.ok())
    return entries.err();
  // Log entries by version: commits, and checkpoints with the time their last part was written.
  std::map<int64_t, const log_entry*> commits;
  std::map<int64_t, std::vector<const log_entry*>> checkpoints;
  std::map<int64_t, int> parts_expected;
  for (const auto& e : *entries) {
    auto name = parse_log_file_name(e.name);
    if (!name)
      continue;
    if (name->k == log_file_name::kind::commit) {
      commits[name->version] = &e;
    } else {
      checkpoints[name->version].push_back(&e);
      parts_expected[name->version] = name->k == log_file_name::kind::checkpoint ? 1 : name->parts;
    }
  }
  // The cutoff: the latest complete checkpoint older than the retention.
  for (const auto& [version, files] : checkpoints) {
    if (static_cast<int>(files.size()) != parts_expected[version])
      continue;
    bool old = true;
    for (const auto* f : files)
      old = old && f->modified_ms <= boundary;
    if (old)
      report.cutoff_version = version;
  }
  if (!report.cutoff_version)
    return report;
  const int64_t cutoff = *report.cutoff_version;
  // Clocks that went backwards could make a commit before the cutoff look younger than the
  // retention: then nothing goes, rather than a gap a retained version might need.
  for (auto it = commits.begin(); it != commits.end() && it->first < cutoff; ++it)
    if (it->second->modified_ms > boundary) {
      FRESHET_LOG(warn, logger(), "{}: commit {} before checkpoint {} is younger than the retention; not cleaning",
                  store.location(), it->first, cutoff);
      report.cutoff_version.reset();
      return report;
    }
  std::vector<std::string> doomed;
  for (auto it = commits.begin(); it != commits.end() && it->first < cutoff; ++it)
    doomed.push_back(it->second->name);
  for (auto it = checkpoints.begin(); it != checkpoints.end() && it->first < cutoff; ++it)
    for (const auto* f : it->second)
      doomed.push_back(f->name);
  for (const auto& name : doomed) {
    if (!o.dry_run)
      FRESHET_TRY(store.remove(name));
    report.deleted.push_back(name);
  }
  if (!doomed.empty())
    FRESHET_LOG(info, logger(), "{}: log cleanup{}: {} entries before checkpoint {} (retention {} ms)", store.location(),
                o.dry_run ? " DRY RUN" : "", doomed.size(), cutoff, report.retention_ms);
  return report;
}

} // namespace freshet::lake
