#include "services/aggregate/metric_plan.hpp"

namespace freshet::aggregate {

namespace {

window::window_spec to_window(const config::window_decl& w) {
  window::window_spec out;
  switch (w.type) {
    case config::window_type::tumbling: out.kind = window::window_kind::tumbling; break;
    case config::window_type::hopping: out.kind = window::window_kind::hopping; break;
    case config::window_type::session: out.kind = window::window_kind::session; break;
  }
  out.size_ms = w.size_ms;
  out.hop_ms = w.hop_ms;
  out.gap_ms = w.gap_ms;
  out.offset_ms = w.offset_ms;
  return out;
}

result<window::aggregation_spec> to_aggregation(const config::aggregation_decl& a, const std::string& metric) {
  auto kind = window::agg_kind_from_string(a.kind);
  if (!kind)
    return make_error(error_domain::config, 3, "metric " + metric + ": unknown aggregation kind '" + a.kind + "'");
  window::aggregation_spec out;
  out.output = a.name;
  out.kind = *kind;
  out.field = a.field;
  out.hll_precision = a.precision;
  out.relative_accuracy = a.relative_accuracy;
  out.max_bins = a.max_bins;
  out.quantiles = a.quantiles;
  out.k = a.k;
  out.capacity = a.capacity;
  return out;
}

} // namespace

result<metric_plan> plan_metric(const config::metric_decl& decl) {
  metric_plan p;
  p.decl = decl;
  auto& s = p.spec;
  s.name = decl.name;
  s.stream = decl.stream;
  s.filter_text = decl.filter;
  s.group_by = decl.group_by;
  for (const auto& a : decl.aggregations) {
    auto agg = to_aggregation(a, decl.name);
    if (!agg)
      return agg.err();
    s.aggregations.push_back(std::move(*agg));
  }
  s.window = to_window(decl.window);
  s.event_time_field = decl.event_time;
  s.allowed_lateness_ms = decl.allowed_lateness_ms;
  s.out_of_orderness_ms = decl.out_of_orderness_ms;
  s.idle_timeout_ms = decl.idle_timeout_ms;
  s.emit.early_every_ms = decl.early_every_ms;
  // Rollups carry mergeable states: the serving store merges partitions and windows with them.
  s.emit.include_state = true;
  // A placeholder with the shape the operators get (see metric_plan), so that validate() sees it.
  s.filter = [](const window::field_row&) { return true; };
  FRESHET_TRY(window::validate(s));
  s.filter = nullptr;
  if (!decl.filter.empty()) {
    auto f = filter_expression::compile(decl.filter);
    if (!f)
      return make_error(error_domain::config, 3, "metric " + decl.name + ": " + f.err().message);
    p.filter = std::move(*f);
  }
  return p;
}

result<std::vector<metric_plan>> plan_metrics(const std::vector<config::metric_decl>& builtins,
                                              const config::metrics_spec& declared) {
  std::vector<metric_plan> out;
  for (const auto* list : {&builtins, &declared.metrics})
    for (const auto& d : *list) {
      auto p = plan_metric(d);
      if (!p)
        return p.err();
      out.push_back(std::move(*p));
    }
  return out;
}

} // namespace freshet::aggregate
