#include "common/config/metrics_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/config/expectations_spec.hpp" // parse_duration_ms

namespace freshet::config {

namespace {

error spec_error(const std::string& metric, const std::string& msg) {
  return make_error(error_domain::config, 3,
                    "pipeline spec: metrics: " + (metric.empty() ? "" : "metric " + metric + ": ") + msg);
}

const char* const kind_names[] = {"count", "sum", "min", "max", "avg", "count_distinct", "quantiles", "top_k"};

bool valid_metric_name(const std::string& s) {
  if (s.empty() || s.size() > 100)
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

bool valid_field(const std::string& s) {
  if (s.empty() || s.size() > 256 || s.front() == '.' || s.back() == '.')
    return false;
  for (char c : s)
    if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ')
      return false;
  return true;
}

status only_keys(const YAML::Node& n, const std::string& metric, const std::string& what,
                 const std::set<std::string>& allowed) {
  if (!n.IsMap())
    return spec_error(metric, what + " must be a map");
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto key = it->first.as<std::string>();
    if (!allowed.contains(key))
      return spec_error(metric, what + ": unknown key '" + key + "'");
  }
  return {};
}

result<int64_t> duration(const YAML::Node& n, const std::string& metric, const std::string& key) {
  if (!n.IsScalar())
    return spec_error(metric, key + " must be a duration like 30s, 5m, 24h");
  auto d = parse_duration_ms(n.Scalar());
  if (!d)
    return spec_error(metric, key + ": " + d.err().message);
  return d;
}

result<window_decl> parse_window(const YAML::Node& n, const std::string& metric) {
  FRESHET_TRY(only_keys(n, metric, "window", {"type", "size", "hop", "gap", "offset"}));
  window_decl w;
  auto type = n["type"] ? n["type"].as<std::string>() : std::string{"tumbling"};
  auto need = [&](const char* key, int64_t& out) -> status {
    if (!n[key])
      return spec_error(metric, type + " window needs '" + key + "'");
    auto d = duration(n[key], metric, std::string{"window."} + key);
    if (!d)
      return d.err();
    if (*d <= 0)
      return spec_error(metric, std::string{"window."} + key + " must be positive");
    out = *d;
    return {};
  };
  auto forbid = [&](const char* key) -> status {
    if (n[key])
      return spec_error(metric, type + " window takes no '" + key + "'");
    return {};
  };
  if (type == "tumbling") {
    w.type = window_type::tumbling;
    FRESHET_TRY(need("size", w.size_ms));
    FRESHET_TRY(forbid("hop"));
    FRESHET_TRY(forbid("gap"));
  } else if (type == "hopping") {
    w.type = window_type::hopping;
    FRESHET_TRY(need("size", w.size_ms));
    FRESHET_TRY(need("hop", w.hop_ms));
    FRESHET_TRY(forbid("gap"));
    if (w.hop_ms > w.size_ms)
      return spec_error(metric, "window.hop must not exceed window.size");
    if (w.size_ms / w.hop_ms > 1000)
      return spec_error(metric, "window.size / window.hop must be at most 1000");
  } else if (type == "session") {
    w.type = window_type::session;
    w.size_ms = 0;
    FRESHET_TRY(need("gap", w.gap_ms));
    FRESHET_TRY(forbid("size"));
    FRESHET_TRY(forbid("hop"));
    FRESHET_TRY(forbid("offset"));
  } else {
    return spec_error(metric, "window.type must be tumbling, hopping or session, not '" + type + "'");
  }
  if (n["offset"]) {
    auto d = duration(n["offset"], metric, "window.offset");
    if (!d)
      return d.err();
    w.offset_ms = *d;
  }
  return w;
}

result<aggregation_decl> parse_aggregation(const YAML::Node& n, const std::string& metric) {
  if (!n.IsMap())
    return spec_error(metric, "each aggregation is a map like {name: revenue, sum: amount}");
  aggregation_decl a;
  std::string at = "aggregation";
  if (n["name"] && n["name"].IsScalar())
    a.name = n["name"].Scalar();
  if (!valid_metric_name(a.name))
    return spec_error(metric, "every aggregation needs a name of letters, digits and '_'");
  at = "aggregation " + a.name;
  int kinds = 0;
  for (const char* k : kind_names)
    if (n[k]) {
      ++kinds;
      a.kind = k;
    }
  if (kinds != 1)
    return spec_error(metric, at + ": needs exactly one of count, sum, min, max, avg, count_distinct, quantiles, top_k");
  const auto& target = n[a.kind];
  if (!target.IsScalar())
    return spec_error(metric, at + ": " + a.kind + " takes a field name");
  a.field = target.Scalar();
  if (a.kind == "count" && a.field == "*")
    a.field.clear();
  else if (!valid_field(a.field))
    return spec_error(metric, at + ": '" + a.field + "' is not a field name" +
                                (a.kind == "count" ? " (count all events with '*')" : ""));
  std::set<std::string> allowed{"name", a.kind};
  if (a.kind == "count_distinct")
    allowed.insert("precision");
  if (a.kind == "quantiles")
    allowed.insert({"q", "relative_accuracy", "max_bins"});
  if (a.kind == "top_k")
    allowed.insert({"k", "capacity"});
  FRESHET_TRY(only_keys(n, metric, at, allowed));
  if (n["precision"]) {
    a.precision = n["precision"].as<int>();
    if (a.precision < 4 || a.precision > 18)
      return spec_error(metric, at + ": precision must be within 4..18");
  }
  if (n["relative_accuracy"]) {
    a.relative_accuracy = n["relative_accuracy"].as<double>();
    if (!(a.relative_accuracy >= 1e-4 && a.relative_accuracy <= 0.25))
      return spec_error(metric, at + ": relative_accuracy must be within 0.0001..0.25");
  }
  if (n["max_bins"]) {
    a.max_bins = n["max_bins"].as<uint32_t>();
    if (a.max_bins < 16 || a.max_bins > 65536)
      return spec_error(metric, at + ": max_bins must be within 16..65536");
  }
  if (n["q"]) {
    if (!n["q"].IsSequence() || n["q"].size() == 0)
      return spec_error(metric, at + ": q is a list of quantiles like [0.5, 0.95]");
    a.quantiles.clear();
    for (const auto& q : n["q"]) {
      double v = q.as<double>();
      if (!(v >= 0 && v <= 1))
        return spec_error(metric, at + ": quantiles must be within [0, 1]");
      a.quantiles.push_back(v);
    }
  }
  if (n["k"]) {
    a.k = n["k"].as<uint32_t>();
    if (a.k == 0 || a.k > 10000)
      return spec_error(metric, at + ": k must be within 1..10000");
  }
  if (n["capacity"]) {
    a.capacity = n["capacity"].as<uint32_t>();
    if (a.capacity < a.k || a.capacity > 1'000'000)
      return spec_error(metric, at + ": capacity must be within k..1000000");
  }
  return a;
}

result<metric_decl> parse_metric(const YAML::Node& n, const pipeline_spec& spec) {
  if (!n.IsMap())
    return spec_error("", "each metric is a map");
  metric_decl m;
  if (n["name"] && n["name"].IsScalar())
    m.name = n["name"].Scalar();
  if (!valid_metric_name(m.name))
    return spec_error("", "every metric needs a name of letters, digits and '_' ('" + m.name + "')");
  if (m.name == event_counts_metric)
    return spec_error(m.name, "the name is taken by the built-in per-stream event counts");
  FRESHET_TRY(only_keys(n, m.name, "metric",
                        {"name", "stream", "filter", "group_by", "aggregations", "window", "event_time",
                         "allowed_lateness", "out_of_orderness", "idle_timeout", "emit"}));
  if (!n["stream"] || !n["stream"].IsScalar())
    return spec_error(m.name, "needs a stream (a declared stream, or '*' for every stream)");
  m.stream = n["stream"].Scalar();
  if (m.stream != "*" && spec.stream(m.stream) == nullptr)
    return spec_error(m.name, "stream '" + m.stream + "' is not declared under streams");
  if (n["filter"]) {
    if (!n["filter"].IsScalar())
      return spec_error(m.name, "filter is an expression text");
    m.filter = n["filter"].Scalar();
    if (m.filter.size() > 4096)
      return spec_error(m.name, "filter is longer than 4096 characters");
  }
  if (n["group_by"]) {
    const auto& g = n["group_by"];
    if (g.IsScalar())
      m.group_by.push_back(g.Scalar());
    else if (g.IsSequence())
      for (const auto& f : g)
        m.group_by.push_back(f.as<std::string>());
    else
      return spec_error(m.name, "group_by is a field or a list of fields");
    for (const auto& f : m.group_by)
      if (!valid_field(f))
        return spec_error(m.name, "group_by: '" + f + "' is not a field name");
    if (std::set<std::string>(m.group_by.begin(), m.group_by.end()).size() != m.group_by.size())
      return spec_error(m.name, "group_by lists a field twice");
    if (m.group_by.size() > 16)
      return spec_error(m.name, "group_by takes at most 16 fields");
  }
  if (!n["aggregations"] || !n["aggregations"].IsSequence() || n["aggregations"].size() == 0)
    return spec_error(m.name, "needs a list of aggregations");
  std::set<std::string> outputs;
  for (const auto& a : n["aggregations"]) {
    auto agg = parse_aggregation(a, m.name);
    if (!agg)
      return agg.err();
    if (!outputs.insert(agg->name).second)
      return spec_error(m.name, "aggregation name '" + agg->name + "' appears twice");
    m.aggregations.push_back(std::move(*agg));
  }
  if (!n["window"])
    return spec_error(m.name, "needs a window, e.g. {type: tumbling, size: 1m}");
  auto w = parse_window(n["window"], m.name);
  if (!w)
    return w.err();
  m.window = *w;
  if (n["event_time"]) {
    m.event_time = n["event_time"].as<std::string>();
    if (!valid_field(m.event_time))
      return spec_error(m.name, "event_time: '" + m.event_time + "' is not a field name");
  }
  auto opt_duration = [&](const char* key, int64_t& out) -> status {
    if (!n[key])
      return {};
    auto d = duration(n[key], m.name, key);
    if (!d)
      return d.err();
    out = *d;
    return {};
  };
  FRESHET_TRY(opt_duration("allowed_lateness", m.allowed_lateness_ms));
  FRESHET_TRY(opt_duration("out_of_orderness", m.out_of_orderness_ms));
  FRESHET_TRY(opt_duration("idle_timeout", m.idle_timeout_ms));
  if (n["emit"]) {
    const auto& e = n["emit"];
    FRESHET_TRY(only_keys(e, m.name, "emit", {"early_every", "final"}));
    if (e["early_every"]) {
      auto d = duration(e["early_every"], m.name, "emit.early_every");
      if (!d)
        return d.err();
      if (*d > 0 && *d < 10)
        return spec_error(m.name, "emit.early_every must be at least 10ms (or 0 for none)");
      m.early_every_ms = *d;
    }
    // The final result is always emitted; `final: true` may be written for clarity.
    if (e["final"] && !e["final"].as<bool>())
      return spec_error(m.name, "emit.final cannot be turned off: the final result is what late updates revise");
  }
  return m;
}

} // namespace

const char* to_string(window_type t) {
  switch (t) {
    case window_type::tumbling: return "tumbling";
    case window_type::hopping: return "hopping";
    case window_type::session: return "session";
  }
  return "unknown";
}

metric_decl builtin_event_counts(int64_t window_ms, int64_t allowed_lateness_ms, int64_t early_every_ms) {
  metric_decl m;
  m.name = event_counts_metric;
  m.stream = "*";
  m.group_by = {"_stream"};
  aggregation_decl count;
  count.name = "count";
  count.kind = "count";
  m.aggregations = {count};
  m.window.type = window_type::tumbling;
  m.window.size_ms = window_ms;
  m.event_time = "_timestamp";
  m.allowed_lateness_ms = allowed_lateness_ms;
  m.early_every_ms = early_every_ms;
  m.builtin = true;
  return m;
}

const metric_decl* metrics_spec::find(std::string_view name) const {
  for (const auto& m : metrics)
    if (m.name == name)
      return &m;
  return nullptr;
}

result<metrics_spec> parse_metrics_spec(const std::string& yaml_text, const pipeline_spec& spec) {
  metrics_spec out;
  try {
    auto root = YAML::Load(yaml_text);
    const auto& section = root["metrics"];
    if (!section || section.IsNull())
      return out;
    if (!section.IsSequence())
      return spec_error("", "the section is a list of metrics");
    for (const auto& n : section) {
      auto m = parse_metric(n, spec);
      if (!m)
        return m.err();
      if (out.find(m->name) != nullptr)
        return spec_error(m->name, "declared twice");
      out.metrics.push_back(std::move(*m));
    }
  } catch (const YAML::Exception& e) {
    return spec_error("", std::string{"invalid YAML value: "} + e.what());
  }
  return out;
}

result<metrics_spec> load_metrics_spec(const pipeline_spec& spec) {
  std::ifstream in(spec.path);
  if (!in)
    return make_error(error_domain::config, 2, "cannot read pipeline spec " + spec.path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_metrics_spec(text.str(), spec);
}

} // namespace freshet::config
