#include "common/serving/rollup_merge.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "common/serving/rollup_codec.hpp"
#include "common/window/aggregator.hpp"
#include "common/window/window_bounds.hpp"

namespace freshet::serving {

namespace {

error merge_error(std::string msg) {
  return make_error(error_domain::config, 4, "metric query: " + std::move(msg));
}

using dims_t = std::vector<std::string>;

std::vector<std::string> project(const v1::Rollup& r, const std::vector<size_t>& keep) {
  std::vector<std::string> out;
  out.reserve(keep.size());
  for (size_t i : keep)
    out.push_back(i < static_cast<size_t>(r.dims_size()) ? r.dims(static_cast<int>(i)) : std::string{});
  return out;
}

/// Merges the parts of one row into it.
result<v1::MetricRow> merge_parts(const std::vector<const v1::Rollup*>& parts, const dims_t& dims,
                                  window::window_bounds bounds, bool include_state) {
  v1::MetricRow row;
  for (const auto& d : dims)
    row.add_dims(d);
  row.set_window_start_ms(bounds.start);
  row.set_window_end_ms(bounds.end);
  bool final = true;
  uint64_t revision = 0;
  for (const auto* p : parts) {
    final = final && p->kind() != v1::ROLLUP_KIND_EARLY;
    revision += p->revision();
  }
  row.set_final(final);
  row.set_parts(static_cast<uint32_t>(parts.size()));
  row.set_revision(revision);
  const auto& first = *parts.front();
  if (parts.size() == 1 && !include_state) {
    for (const auto& v : first.values()) {
      auto* out = row.add_values();
      *out = v;
      out->clear_state();
    }
    return row;
  }
  for (int i = 0; i < first.values_size(); ++i) {
    const auto& head = first.values(i);
    std::unique_ptr<window::aggregator> acc;
    for (const auto* p : parts) {
      if (i >= p->values_size() || p->values(i).state().empty() || p->values(i).kind() != head.kind())
        return merge_error("rollups of metric '" + first.metric() + "' carry no mergeable state for '" +
                           head.name() + "'");
      auto st = window::deserialize(p->values(i).state());
      if (!st)
        return st.err();
      if (!acc) {
        acc = std::move(*st);
        continue;
      }
      if (auto m = acc->merge(**st); !m.ok())
        return m.err();
    }
    auto* out = row.add_values();
    out->set_name(head.name());
    out->set_kind(head.kind());
    set_value(acc->value(), *out);
    if (include_state)
      out->set_state(window::serialize(*acc));
  }
  return row;
}

struct bucket {
  window::window_bounds bounds;
  std::vector<const v1::Rollup*> parts;
};

} // namespace

result<std::vector<v1::MetricRow>> merge_rollups(std::span<const v1::Rollup> parts, const merge_request& req) {
  const bool session = req.window.type == config::window_type::session;
  if (session && !req.merge_windows && req.keep.size() != req.dim_count)
    return merge_error("session windows can only be rolled up to fewer group-by fields over a whole range "
                       "(merge_windows)");
  std::vector<const v1::Rollup*> use;
  use.reserve(parts.size());
  for (const auto& p : parts)
    use.push_back(&p);
  if (req.merge_windows && req.window.type == config::window_type::hopping && !use.empty()) {
    int64_t first = use.front()->window_start_ms();
    for (const auto* p : use)
      first = std::min(first, p->window_start_ms());
    const int64_t size = std::max<int64_t>(1, req.window.size_ms);
    std::erase_if(use, [&](const v1::Rollup* p) { return (p->window_start_ms() - first) % size != 0; });
  }

  // (window start, dims) -> bucket; merge_windows uses one window key per group.
  std::map<std::pair<int64_t, dims_t>, bucket> buckets;
  auto add = [&](int64_t order, const dims_t& dims, window::window_bounds b, const v1::Rollup* p) {
    auto& bk = buckets[{order, dims}];
    if (bk.parts.empty())
      bk.bounds = b;
    bk.bounds.start = std::min(bk.bounds.start, b.start);
    bk.bounds.end = std::max(bk.bounds.end, b.end);
    bk.parts.push_back(p);
  };
  if (session && !req.merge_windows) {
    // Per group, unite overlapping sessions of all partitions into the global sessions.
    std::map<dims_t, std::vector<const v1::Rollup*>> groups;
    for (const auto* p : use)
      groups[project(*p, req.keep)].push_back(p);
    for (auto& [dims, list] : groups) {
      std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
        return a->window_start_ms() != b->window_start_ms() ? a->window_start_ms() < b->window_start_ms()
                                                            : a->window_end_ms() < b->window_end_ms();
      });
      int64_t start = 0, end = window::no_watermark;
      for (const auto* p : list) {
        if (end == window::no_watermark || p->window_start_ms() >= end)
          start = p->window_start_ms();
        end = std::max(end, p->window_end_ms());
        add(start, dims, {p->window_start_ms(), p->window_end_ms()}, p);
      }
    }
  } else {
    for (const auto* p : use) {
      window::window_bounds b{p->window_start_ms(), p->window_end_ms()};
      add(req.merge_windows ? 0 : b.start, project(*p, req.keep), b, p);
    }
  }
  std::vector<std::pair<std::pair<int64_t, dims_t>, v1::MetricRow>> rows;
  rows.reserve(buckets.size());
  for (auto& [key, bk] : buckets) {
    auto row = merge_parts(bk.parts, key.second, bk.bounds, req.include_state);
    if (!row)
      return row.err();
    rows.emplace_back(std::pair<int64_t, dims_t>{bk.bounds.start, key.second}, std::move(*row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<v1::MetricRow> out;
  out.reserve(rows.size());
  for (auto& r : rows)
    out.push_back(std::move(r.second));
  return out;
}

} // namespace freshet::serving
