#include "services/query/metric_query.hpp"

#include <algorithm>

#include "common/serving/rollup_merge.hpp"

namespace freshet::query {

namespace {

constexpr uint32_t default_limit = 10000;

metric_answer fail(metric_answer::code c, std::string why) {
  metric_answer a;
  a.status = c;
  a.error = std::move(why);
  return a;
}

} // namespace

const config::metric_decl* metric_catalog::find(const std::string& name) const {
  for (const auto& m : metrics)
    if (m.name == name)
      return &m;
  return nullptr;
}

metric_answer answer_metric(serving::metric_store& store, const metric_catalog& catalog,
                            const v1::QueryMetricRequest& req, int64_t now_ms) {
  const auto* m = catalog.find(req.metric());
  if (m == nullptr)
    return fail(metric_answer::code::not_found, "no metric named '" + req.metric() + "'");
  if (req.to_ms() != 0 && req.to_ms() < req.from_ms())
    return fail(metric_answer::code::invalid_argument, "to_ms is before from_ms");
  // Filters by dims: every named field must be a group-by field of the metric.
  std::vector<std::pair<size_t, std::string>> filters;
  for (const auto& [name, value] : req.dims()) {
    auto it = std::find(m->group_by.begin(), m->group_by.end(), name);
    if (it == m->group_by.end())
      return fail(metric_answer::code::invalid_argument, "'" + name + "' is not a group-by field of " + m->name);
    filters.emplace_back(static_cast<size_t>(it - m->group_by.begin()), value);
  }
  serving::merge_request mr;
  mr.window = m->window;
  mr.dim_count = m->group_by.size();
  mr.merge_windows = req.merge_windows();
  mr.include_state = req.include_state();
  std::vector<std::string> names;
  if (req.group_by_size() == 0) {
    for (size_t i = 0; i < m->group_by.size(); ++i)
      mr.keep.push_back(i);
    names = m->group_by;
  } else {
    for (const auto& g : req.group_by()) {
      auto it = std::find(m->group_by.begin(), m->group_by.end(), g);
      if (it == m->group_by.end())
        return fail(metric_answer::code::invalid_argument, "'" + g + "' is not a group-by field of " + m->name);
      mr.keep.push_back(static_cast<size_t>(it - m->group_by.begin()));
      names.push_back(g);
    }
  }
  int64_t to = req.to_ms() > 0 ? req.to_ms() : now_ms + 1;
  auto parts = store.read(m->name, req.from_ms(), to);
  if (!parts)
    return fail(metric_answer::code::unavailable, parts.err().describe());
  std::erase_if(*parts, [&](const v1::Rollup& r) {
    for (const auto& [i, v] : filters)
      if (i >= static_cast<size_t>(r.dims_size()) || r.dims(static_cast<int>(i)) != v)
        return true;
    return false;
  });
  auto rows = serving::merge_rollups(*parts, mr);
  if (!rows)
    return fail(metric_answer::code::invalid_argument, rows.err().message);
  metric_answer a;
  a.status = metric_answer::code::ok;
  auto& resp = a.response;
  resp.set_metric(m->name);
  for (const auto& n : names)
    resp.add_dim_names(n);
  resp.set_window_type(config::to_string(m->window.type));
  const uint32_t limit = req.limit() == 0 ? default_limit : req.limit();
  // The latest rows when there are too many (rows come oldest first).
  size_t skip = rows->size() > limit ? rows->size() - limit : 0;
  resp.set_truncated(skip > 0);
  for (size_t i = skip; i < rows->size(); ++i)
    *resp.add_rows() = std::move((*rows)[i]);
  return a;
}

counts_answer answer_counts(serving::metric_store& store, const v1::GetEventCountsRequest& req, int64_t window_ms,
                            int64_t now_ms) {
  counts_answer a;
  int64_t to = req.to_ms() > 0 ? req.to_ms() : now_ms + window_ms;
  auto parts = store.read(config::event_counts_metric, req.from_ms(), to);
  if (!parts) {
    a.error = parts.err().describe();
    return a;
  }
  if (!req.stream().empty())
    std::erase_if(*parts, [&](const v1::Rollup& r) { return r.dims_size() < 1 || r.dims(0) != req.stream(); });
  // Counts add up over partitions: no states needed.
  std::map<std::pair<std::pair<int64_t, int64_t>, std::string>, int64_t> counts;
  for (const auto& r : *parts) {
    if (r.dims_size() < 1 || r.values_size() < 1)
      continue;
    counts[{{r.window_start_ms(), r.window_end_ms()}, r.dims(0)}] += r.values(0).int_value();
  }
  a.ok = true;
  int64_t total = 0;
  for (const auto& [key, n] : counts) {
    auto* w = a.response.add_windows();
    w->set_window_start_ms(key.first.first);
    w->set_window_end_ms(key.first.second);
    w->set_stream(key.second);
    w->set_count(n);
    total += n;
    (*a.response.mutable_total_by_stream())[key.second] += n;
  }
  a.response.set_total(total);
  return a;
}

v1::ListMetricsResponse list_metrics(const metric_catalog& catalog) {
  v1::ListMetricsResponse out;
  for (const auto& m : catalog.metrics) {
    auto* i = out.add_metrics();
    i->set_name(m.name);
    i->set_stream(m.stream);
    for (const auto& g : m.group_by)
      i->add_group_by(g);
    for (const auto& a : m.aggregations)
      i->add_aggregations(a.name + ":" + a.kind);
    i->set_window_type(config::to_string(m.window.type));
    i->set_size_ms(m.window.size_ms);
    i->set_hop_ms(m.window.hop_ms);
    i->set_gap_ms(m.window.gap_ms);
    i->set_allowed_lateness_ms(m.allowed_lateness_ms);
    i->set_early_every_ms(m.early_every_ms);
    i->set_builtin(m.builtin);
  }
  return out;
}

} // namespace freshet::query
