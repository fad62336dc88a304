#include "services/admin/lake_maintenance_commands.hpp"

#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/lake/log_cleanup.hpp"
#include "common/lake/optimize.hpp"
#include "common/lake/table.hpp"
#include "common/lake/vacuum.hpp"

namespace freshet::admin {

namespace {

/// `--key=value` and bare `--flag` (= "true"); `_` and `-` are the same in keys.
struct flags {
  std::map<std::string, std::string> values;
  std::string error;

  flags(int argc, char** argv, const std::set<std::string>& allowed) {
    for (int i = 2; i < argc && error.empty(); ++i) {
      std::string arg = argv[i];
      if (!arg.starts_with("--")) {
        error = "unexpected argument '" + arg + "'";
        break;
      }
      auto eq = arg.find('=');
      std::string key = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      for (auto& c : key)
        c = c == '_' ? '-' : c;
      if (!allowed.contains(key))
        error = "unknown flag --" + key;
      values[key] = eq == std::string::npos ? "true" : arg.substr(eq + 1);
    }
  }
  [[nodiscard]] bool has(const std::string& k) const { return values.contains(k); }
  [[nodiscard]] std::string get(const std::string& k) const {
    auto it = values.find(k);
    return it == values.end() ? "" : it->second;
  }
  [[nodiscard]] bool boolean(const std::string& k) const {
    auto v = get(k);
    return v == "true" || v == "1" || v == "yes";
  }
  /// The integer flag `k`, or `fallback` when absent; nullopt when it is not an integer.
  [[nodiscard]] std::optional<int64_t> integer(const std::string& k, int64_t fallback) const {
    if (!has(k))
      return fallback;
    auto v = get(k);
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size())
      return std::nullopt;
    return out;
  }
};

int fail(std::string_view command, const std::string& message, int code) {
  std::fprintf(stderr, "freshet-admin %.*s: %s\n", static_cast<int>(command.size()), command.data(), message.c_str());
  return code;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty())
      out.push_back(part);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

int optimize_command(std::string_view command, const flags& f) {
  lake::optimize_options o;
  const bool zorder = command == "zorder";
  auto target = f.integer("target-file-bytes", o.target_file_bytes);
  auto min_files = f.integer("min-files", zorder ? 1 : 2);
  if (!target || *target <= 0 || !min_files || *min_files < 1)
    return fail(command, "--target-file-bytes must be positive and --min-files at least 1", 2);
  o.target_file_bytes = *target;
  o.min_files = static_cast<size_t>(*min_files);
  o.dry_run = f.boolean("dry-run");
  if (zorder) {
    o.zorder_by = split(f.get("columns"));
    if (o.zorder_by.empty())
      return fail(command, "--columns=a,b names the columns to z-order by", 2);
  }
  auto t = lake::table::open(f.get("table"));
  if (!t.ok())
    return fail(command, t.err().describe(), 1);
  auto r = lake::optimize(**t, o);
  if (!r.ok())
    return fail(command, r.err().describe(), 1);
  for (const auto& g : r->plan) {
    std::string partition;
    for (const auto& [k, v] : g.partition)
      partition += (partition.empty() ? "" : "/") + k + "=" + v.value_or("null");
    std::printf("  %s: %zu files, %lld bytes\n", partition.empty() ? "(unpartitioned)" : partition.c_str(),
                g.files.size(), static_cast<long long>(g.bytes));
  }
  if (o.dry_run || r->version < 0) {
    std::printf("%s%s: would rewrite %lld files (%lld bytes) in %lld partition(s) of version %lld\n",
                o.dry_run ? "dry run: " : "nothing to do; ", std::string{command}.c_str(),
                static_cast<long long>(r->files_removed), static_cast<long long>(r->bytes_removed),
                static_cast<long long>(r->partitions), static_cast<long long>(r->read_version));
    return 0;
  }
  std::printf("%s: version %lld: %lld files (%lld bytes) -> %lld files (%lld bytes), %lld rows, %lld partition(s)\n",
              std::string{command}.c_str(), static_cast<long long>(r->version), static_cast<long long>(r->files_removed),
              static_cast<long long>(r->bytes_removed), static_cast<long long>(r->files_added),
              static_cast<long long>(r->bytes_added), static_cast<long long>(r->rows),
              static_cast<long long>(r->partitions));
  return 0;
}

int vacuum_command(std::string_view command, const flags& f) {
  auto t = lake::table::open(f.get("table"));
  if (!t.ok())
    return fail(command, t.err().describe(), 1);
  lake::vacuum_options o;
  o.dry_run = f.boolean("dry-run");
  o.force = f.boolean("force");
  if (f.has("retention-hours")) {
    auto h = f.integer("retention-hours", 0);
    if (!h || *h < 0)
      return fail(command, "--retention-hours must be a whole number of hours", 2);
    o.retention_ms = *h * 3'600'000;
  } else if (f.has("retention-ms")) {
    auto ms = f.integer("retention-ms", 0);
    if (!ms || *ms < 0)
      return fail(command, "--retention-ms must be a whole number of milliseconds", 2);
    o.retention_ms = *ms;
  }
  auto r = lake::vacuum(**t, o);
  if (!r.ok())
    return fail(command, r.err().describe(), 1);
  for (const auto& path : r->deleted)
    std::printf("  %s\n", path.c_str());
  std::printf("%svacuum: %s %zu files (%lld bytes; %lld removed by the log, %lld orphans), kept %lld within the "
              "retention of %lld ms\n",
              o.dry_run ? "dry run: " : "", o.dry_run ? "would delete" : "deleted", r->deleted.size(),
              static_cast<long long>(r->bytes), static_cast<long long>(r->removed_files),
              static_cast<long long>(r->orphans), static_cast<long long>(r->kept_for_retention),
              static_cast<long long>(r->retention_ms));
  int code = r->failed > 0 ? 1 : 0;
  if (f.boolean("log-cleanup")) {
    lake::log_cleanup_options l;
    l.dry_run = o.dry_run;
    auto c = lake::cleanup_log((*t)->store(), (*t)->latest().metadata(), l);
    if (!c.ok())
      return fail(command, "log cleanup: " + c.err().describe(), 1);
    std::printf("%slog cleanup: %s %zu log entries before checkpoint %s (retention %lld ms)\n",
                o.dry_run ? "dry run: " : "", o.dry_run ? "would delete" : "deleted", c->deleted.size(),
                c->cutoff_version ? std::to_string(*c->cutoff_version).c_str() : "(none old enough)",
                static_cast<long long>(c->retention_ms));
  }
  return code;
}

} // namespace

bool is_maintenance_command(std::string_view command) {
  return command == "optimize" || command == "zorder" || command == "vacuum";
}

const char* maintenance_commands_usage() {
  return "  optimize        bin-pack a Delta table's small files, per partition, in one commit\n"
         "                  (--table=DIR, optional --target-file-bytes=N, --min-files=N, --dry-run)\n"
         "  zorder          rewrite a table's partitions z-ordered by columns (--table=DIR --columns=a,b,\n"
         "                  optional --target-file-bytes=N, --min-files=N, --dry-run)\n"
         "  vacuum          delete data files no version within the retention needs, and old orphans\n"
         "                  (--table=DIR, optional --retention-hours=H or --retention-ms=N, --dry-run,\n"
         "                  --force for a retention below the table's, --log-cleanup for old log entries)\n";
}

int run_maintenance_command(std::string_view command, int argc, char** argv) {
  const std::set<std::string> common{"table", "dry-run"};
  std::set<std::string> allowed = common;
  if (command == "vacuum")
    allowed.insert({"retention-hours", "retention-ms", "force", "log-cleanup"});
  else
    allowed.insert({"target-file-bytes", "min-files", "columns"});
  flags f{argc, argv, allowed};
  if (!f.error.empty())
    return fail(command, f.error, 2);
  if (f.get("table").empty())
    return fail(command, "--table=DIR names the Delta table's folder", 2);
  if (command == "vacuum")
    return vacuum_command(command, f);
  if (command == "optimize" && f.has("columns"))
    return fail(command, "--columns is for zorder", 2);
  return optimize_command(command, f);
}

} // namespace freshet::admin
