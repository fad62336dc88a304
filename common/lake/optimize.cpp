#include "common/lake/optimize.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "common/base/clock.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/data_file_rows.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/table.hpp"
#include "common/lake/zorder.hpp"
#include "common/log/logger.hpp"

namespace freshet::lake {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("lake.optimize");
  return l;
}

std::string joined(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : sep) + n;
  return out;
}

std::string json_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ",\"" : "\"") + names[i] + "\"";
  return out + "]";
}

status check_zorder_columns(const snapshot& s, const std::vector<std::string>& columns) {
  const auto& parts = s.metadata().partition_columns;
  for (const auto& c : columns) {
    if (std::find(parts.begin(), parts.end(), c) != parts.end())
      return make_lake_error(errc::invalid_argument, "z-order column '" + c + "' is a partition column");
    const auto* col = find_column(s.schema(), c);
    if (!col)
      return make_lake_error(errc::invalid_argument, "z-order column '" + c + "' is not in the table");
    if (!col->type.is_primitive() || col->type.k == data_type::kind::boolean || col->type.k == data_type::kind::decimal)
      return make_lake_error(errc::invalid_argument, "z-order column '" + c + "' has no usable order");
  }
  if (columns.size() > 32)
    return make_lake_error(errc::invalid_argument, "at most 32 z-order columns");
  return {};
}

/// First-fit decreasing of one partition's small files into groups of at most `target` bytes.
std::vector<optimize_group> pack(const partition_values& partition, std::vector<add_action> files, int64_t target) {
  std::stable_sort(files.begin(), files.end(), [](const add_action& a, const add_action& b) { return a.size > b.size; });
  std::vector<optimize_group> groups;
  for (auto& f : files) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const optimize_group& g) { return g.bytes + f.size <= target; });
    if (it == groups.end()) {
      groups.push_back({partition, {}, 0});
      it = std::prev(groups.end());
    }
    it->bytes += f.size;
    it->files.push_back(std::move(f));
  }
  std::erase_if(groups, [](const optimize_group& g) { return g.files.size() < 2; });
  return groups;
}

/// Rewrites one group: its rows (z-ordered if asked) into new files, cut at the target size when
/// z-ordering (bin-packing groups fit in one file by construction).
status rewrite(const table& t, const optimize_group& g, const optimize_options& o, const table_schema& data_columns,
               const std::vector<size_t>& zorder_columns, std::vector<std::string>& written, std::vector<add_action>& adds,
               int64_t& rows_out) {
  std::vector<parquet::row> rows;
  for (const auto& f : g.files) {
    auto part = read_data_file_rows(t.root(), f, data_columns);
    if (!part.ok())
      return part.err();
    std::move(part->begin(), part->end(), std::back_inserter(rows));
  }
  std::vector<size_t> order;
  if (!zorder_columns.empty()) {
    order = zorder_permutation(rows, zorder_columns);
  } else {
    order.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i)
      order[i] = i;
  }
  // The input's bytes per row predict the output's better than the writer's estimate can before
  // its first row group is flushed.
  const int64_t rows_per_file =
    rows.empty() ? 1 : std::max<int64_t>(1, o.target_file_bytes / std::max<int64_t>(1, g.bytes / static_cast<int64_t>(rows.size())));
  const auto& partition_columns = t.latest().metadata().partition_columns;
  std::unique_ptr<data_file_writer> w;
  auto finish = [&]() -> status {
    auto add = w->close();
    w.reset();
    if (!add.ok())
      return add.err();
    add->data_change = false;
    if (!o.zorder_by.empty())
      add->tags[zorder_tag] = joined(o.zorder_by, ",");
    adds.push_back(std::move(*add));
    return {};
  };
  for (size_t i : order) {
    if (!w) {
      auto opened = data_file_writer::open(t.root(), partition_columns, g.partition, data_columns, o.parquet);
      if (!opened.ok())
        return opened.err();
      w = std::move(*opened);
      written.push_back(w->relative_path());
    }
    FRESHET_TRY(w->append(rows[i]));
    ++rows_out;
    if (!zorder_columns.empty() &&
        (w->rows() >= rows_per_file ||
         ((w->rows() & 255) == 0 && static_cast<int64_t>(w->estimated_bytes()) >= o.target_file_bytes)))
      FRESHET_TRY(finish());
  }
  if (w)
    FRESHET_TRY(finish());
  return {};
}

} // namespace

result<std::vector<optimize_group>> plan_optimize(const snapshot& s, const optimize_options& o) {
  if (o.target_file_bytes <= 0)
    return make_lake_error(errc::invalid_argument, "the target file size must be positive");
  FRESHET_TRY(check_zorder_columns(s, o.zorder_by));
  const size_t min_files = std::max<size_t>(o.min_files, 1);
  std::map<partition_values, std::vector<add_action>> by_partition;
  for (const auto& [path, add] : s.files())
    by_partition[add.partition].push_back(add);
  std::vector<optimize_group> plan;
  const auto tag = joined(o.zorder_by, ",");
  for (auto& [partition, files] : by_partition) {
    if (!o.zorder_by.empty()) {
      const auto candidates = std::count_if(files.begin(), files.end(), [&](const add_action& a) {
        auto it = a.tags.find(zorder_tag);
        return it == a.tags.end() || it->second != tag;
      });
      if (static_cast<size_t>(candidates) < min_files)
        continue;
      optimize_group g{partition, std::move(files), 0};
      for (const auto& f : g.files)
        g.bytes += f.size;
      plan.push_back(std::move(g));
      continue;
    }
    std::erase_if(files, [&](const add_action& a) { return a.size >= o.target_file_bytes; });
    if (files.size() < min_files)
      continue;
    for (auto& g : pack(partition, std::move(files), o.target_file_bytes))
      plan.push_back(std::move(g));
  }
  return plan;
}

result<optimize_job> optimize_job::prepare(table& t, const optimize_options& o) {
  auto refreshed = t.refresh();
  if (!refreshed.ok())
    return refreshed.err();
  optimize_job job{t, o};
  job.tx_ = t.begin();
  const auto& s = t.latest();
  auto& report = job.report_;
  report.read_version = s.version();
  auto plan = plan_optimize(s, o);
  if (!plan.ok())
    return plan.err();
  report.plan = std::move(*plan);
  std::map<partition_values, int> partitions;
  for (const auto& g : report.plan) {
    partitions[g.partition]++;
    report.files_removed += static_cast<int64_t>(g.files.size());
    report.bytes_removed += g.bytes;
  }
  report.partitions = static_cast<int64_t>(partitions.size());
  if (report.plan.empty() || o.dry_run)
    return job;

  const auto data_columns = without_columns(s.schema(), s.metadata().partition_columns);
  std::vector<size_t> zorder_columns;
  for (const auto& c : o.zorder_by)
    for (size_t i = 0; i < data_columns.size(); ++i)
      if (data_columns[i].name == c)
        zorder_columns.push_back(i);
  const int64_t now = o.now_ms ? o.now_ms : now_ms();
  auto& tx = job.tx_;
  for (const auto& g : report.plan) {
    FRESHET_TRY(rewrite(t, g, o, data_columns, zorder_columns, job.written_, tx.adds, report.rows));
    for (const auto& f : g.files) {
      remove_action r;
      r.path = f.path;
      r.deletion_timestamp = now;
      r.data_change = false;
      r.extended_file_metadata = true;
      r.partition = f.partition;
      r.size = f.size;
      r.stats = f.stats;
      tx.removes.push_back(std::move(r));
      tx.read_files.insert(f.path);
    }
  }
  for (const auto& a : tx.adds)
    report.bytes_added += a.size;
  report.files_added = static_cast<int64_t>(tx.adds.size());
  tx.info.operation = "OPTIMIZE";
  tx.info.operation_parameters = {{"predicate", "[]"},
                                  {"zOrderBy", json_list(o.zorder_by)},
                                  {"targetSize", std::to_string(o.target_file_bytes)}};
  tx.info.operation_metrics = {{"numAddedFiles", std::to_string(report.files_added)},
                               {"numRemovedFiles", std::to_string(report.files_removed)},
                               {"numAddedBytes", std::to_string(report.bytes_added)},
                               {"numRemovedBytes", std::to_string(report.bytes_removed)},
                               {"numPartitions", std::to_string(report.partitions)}};
  return job;
}

optimize_job::~optimize_job() {
  if (keep_)
    return;
  for (const auto& r : written_) {
    std::error_code ec;
    std::filesystem::remove(table_->root() + "/" + r, ec);
  }
}

result<optimize_report> optimize_job::commit() {
  if (empty() || options_.dry_run)
    return report_;
  auto& t = *table_;
  auto committed = t.commit(tx_);
  if (!committed.ok()) {
    // After a storage error the outcome is unknown: re-read to learn whether our commit landed.
    if (is(committed.err(), errc::storage) && t.refresh().ok() && !written_.empty() &&
        t.latest().files().contains(encode_path(written_.front())))
      keep_ = true;
    return committed.err();
  }
  keep_ = true;
  report_.version = committed->version;
  report_.commit_attempts = committed->attempts;
  const auto& o = options_;
  FRESHET_LOG(info, logger(), "{}: OPTIMIZE{} v{}: {} files ({} bytes) -> {} files ({} bytes) in {} partition(s)",
              t.root(), o.zorder_by.empty() ? "" : " ZORDER BY " + joined(o.zorder_by, ","), report_.version,
              report_.files_removed, report_.bytes_removed, report_.files_added, report_.bytes_added, report_.partitions);
  return report_;
}

result<optimize_report> optimize(table& t, const optimize_options& o) {
  auto job = optimize_job::prepare(t, o);
  if (!job.ok())
    return job.err();
  return job->commit();
}

} // namespace freshet::lake
