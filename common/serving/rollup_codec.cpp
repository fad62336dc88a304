#include "common/serving/rollup_codec.hpp"

#include <type_traits>

namespace freshet::serving {

namespace {

constexpr char sep = '\x1f';

} // namespace

std::string rollup_key(std::string_view metric, std::span<const std::string> dims, const window::window_bounds& w,
                       int32_t partition) {
  std::string k{metric};
  for (const auto& d : dims) {
    k += sep;
    k += d;
  }
  k += sep;
  k += std::to_string(w.start);
  k += sep;
  k += std::to_string(w.end);
  k += sep;
  k += std::to_string(partition);
  return k;
}

std::string rollup_field(std::span<const std::string> dims, int32_t partition) {
  std::string f = std::to_string(partition);
  for (const auto& d : dims) {
    f += '|';
    f += std::to_string(d.size());
    f += ':';
    f += d;
  }
  return f;
}

v1::RollupKind to_proto(window::emission_kind k) {
  switch (k) {
    case window::emission_kind::early: return v1::ROLLUP_KIND_EARLY;
    case window::emission_kind::final: return v1::ROLLUP_KIND_FINAL;
    case window::emission_kind::late: return v1::ROLLUP_KIND_LATE;
  }
  return v1::ROLLUP_KIND_UNSPECIFIED;
}

void set_value(const window::agg_value& v, v1::AggregateValue& out) {
  std::visit(
    [&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, int64_t>) {
        out.set_int_value(x);
      } else if constexpr (std::is_same_v<T, double>) {
        out.set_real_value(x);
      } else if constexpr (std::is_same_v<T, std::vector<window::quantile_estimate>>) {
        auto* q = out.mutable_quantiles();
        for (const auto& e : x) {
          auto* qv = q->add_values();
          qv->set_q(e.q);
          qv->set_value(e.value);
        }
      } else if constexpr (std::is_same_v<T, std::vector<window::top_k_entry>>) {
        auto* t = out.mutable_top_k();
        for (const auto& e : x) {
          auto* te = t->add_entries();
          te->set_item(e.item);
          te->set_count(e.count);
          te->set_error(e.error);
        }
      }
    },
    v);
}

v1::Rollup to_rollup(const window::emission& e, const window::metric_spec& spec, std::string_view pipeline,
                     int32_t partition, int64_t now_ms) {
  v1::Rollup r;
  r.set_pipeline(std::string{pipeline});
  r.set_metric(e.metric);
  for (const auto& d : e.dims)
    r.add_dims(d);
  r.set_window_start_ms(e.window.start);
  r.set_window_end_ms(e.window.end);
  r.set_revision(e.revision);
  r.set_kind(to_proto(e.kind));
  r.set_source_partition(partition);
  for (size_t i = 0; i < e.values.size(); ++i) {
    auto* v = r.add_values();
    if (i < spec.aggregations.size()) {
      v->set_name(spec.aggregations[i].output);
      v->set_kind(window::to_string(spec.aggregations[i].kind));
    }
    set_value(e.values[i], *v);
    if (i < e.states.size())
      v->set_state(e.states[i]);
  }
  for (const auto& b : e.replaces) {
    auto* w = r.add_replaces();
    w->set_start_ms(b.start);
    w->set_end_ms(b.end);
  }
  r.set_watermark_ms(e.watermark_ms);
  r.set_emitted_at_ms(now_ms);
  return r;
}

} // namespace freshet::serving
