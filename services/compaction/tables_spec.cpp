#include "services/compaction/tables_spec.hpp"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace freshet::compaction {

namespace {

error spec_error(const std::string& what) {
  return make_error(error_domain::config, 40, "tables: " + what);
}

status only_keys(const YAML::Node& n, const std::string& where, std::initializer_list<const char*> allowed) {
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto key = it->first.as<std::string>();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
      return spec_error(where + ": unknown key '" + key + "'");
  }
  return {};
}

bool valid_name(const std::string& s) {
  static const std::regex re{"[A-Za-z0-9_][A-Za-z0-9_.-]*"};
  return std::regex_match(s, re);
}

/// `zorder_by: [a, b]` (or one name): column names, each once.
result<std::vector<std::string>> zorder_list(const YAML::Node& n, const std::string& where) {
  std::vector<std::string> out;
  auto z = n["zorder_by"];
  if (!z || z.IsNull())
    return out;
  if (z.IsScalar())
    out.push_back(z.as<std::string>());
  else if (z.IsSequence())
    for (const auto& c : z)
      out.push_back(c.as<std::string>());
  else
    return spec_error(where + ": zorder_by is a column name or a list of them");
  std::set<std::string> seen;
  for (const auto& c : out)
    if (c.empty() || !seen.insert(c).second)
      return spec_error(where + ": zorder_by names each column once");
  return out;
}

result<event_table_spec> parse_event_table(const YAML::Node& n, const config::pipeline_spec& spec) {
  if (!n.IsMap())
    return spec_error("events: each entry is a map with a stream");
  FRESHET_TRY(only_keys(n, "events", {"stream", "name", "schema", "partition_by", "extras", "zorder_by"}));
  event_table_spec t;
  t.stream = n["stream"] ? n["stream"].as<std::string>() : "";
  const auto* stream = spec.stream(t.stream);
  if (!stream)
    return spec_error("events: '" + t.stream + "' is not a stream of the spec");
  t.name = n["name"] ? n["name"].as<std::string>() : t.stream;
  if (!valid_name(t.name))
    return spec_error("events: table name '" + t.name + "' must be letters, digits, '_', '-', '.'");
  t.schema_file = spec.resolve(n["schema"] ? n["schema"].as<std::string>() : stream->schema_file);
  if (n["partition_by"]) {
    t.partition_by = n["partition_by"].as<std::string>();
    if (t.partition_by == "none")
      t.partition_by.clear();
  }
  if (n["extras"])
    t.extras = n["extras"].as<bool>();
  auto z = zorder_list(n, "events");
  if (!z)
    return z.err();
  t.zorder_by = std::move(*z);
  return t;
}

} // namespace

result<tables_spec> parse_tables_spec(const std::string& yaml_text, const config::pipeline_spec& spec) {
  tables_spec out;
  try {
    auto doc = YAML::Load(yaml_text);
    auto tables = doc["tables"];
    if (tables && !tables.IsNull()) {
      if (!tables.IsMap())
        return spec_error("must be a map with events and/or rollups");
      FRESHET_TRY(only_keys(tables, "tables", {"events", "rollups"}));
      if (auto events = tables["events"]; events && !events.IsNull()) {
        if (!events.IsSequence())
          return spec_error("events must be a list");
        for (const auto& e : events) {
          auto t = parse_event_table(e, spec);
          if (!t)
            return t.err();
          out.events.push_back(std::move(*t));
        }
      } else {
        for (const auto& s : spec.streams)
          out.events.push_back({s.name, s.name, spec.resolve(s.schema_file)});
      }
      if (auto r = tables["rollups"]; r && !r.IsNull()) {
        if (r.IsScalar()) {
          out.rollups.enabled = r.as<bool>();
        } else {
          FRESHET_TRY(only_keys(r, "rollups", {"enabled", "auto_create", "metrics"}));
          if (r["enabled"])
            out.rollups.enabled = r["enabled"].as<bool>();
          if (r["auto_create"])
            out.rollups.auto_create = r["auto_create"].as<bool>();
          for (const auto& m : r["metrics"]) {
            rollup_table_spec rt;
            if (m.IsScalar()) {
              rt.metric = m.as<std::string>();
            } else {
              FRESHET_TRY(only_keys(m, "rollups.metrics", {"metric", "schema", "zorder_by"}));
              rt.metric = m["metric"] ? m["metric"].as<std::string>() : "";
              if (m["schema"])
                rt.schema_file = spec.resolve(m["schema"].as<std::string>());
              auto z = zorder_list(m, "rollups.metrics");
              if (!z)
                return z.err();
              rt.zorder_by = std::move(*z);
            }
            if (!valid_name(rt.metric))
              return spec_error("rollups: metric name '" + rt.metric + "' must be letters, digits, '_', '-', '.'");
            out.rollups.metrics.push_back(std::move(rt));
          }
        }
      }
    } else {
      for (const auto& s : spec.streams)
        out.events.push_back({s.name, s.name, spec.resolve(s.schema_file)});
    }
    // The metrics' group-by fields name the dims of their rollups (the section is the aggregate
    // service's; only names are read here).
    if (auto metrics = doc["metrics"]; metrics && metrics.IsSequence())
      for (const auto& m : metrics) {
        if (!m.IsMap() || !m["name"])
          continue;
        std::vector<std::string> dims;
        if (auto g = m["group_by"]; g && g.IsSequence())
          for (const auto& d : g)
            dims.push_back(d.as<std::string>());
        out.rollups.group_by[m["name"].as<std::string>()] = std::move(dims);
      }
  } catch (const YAML::Exception& e) {
    return spec_error(e.what());
  }
  std::set<std::string> names;
  for (const auto& t : out.events)
    if (!names.insert(t.name).second)
      return spec_error("two tables are named '" + t.name + "'");
  return out;
}

std::map<std::string, std::vector<std::string>> tables_spec::zorder_columns() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& t : events)
    if (!t.zorder_by.empty())
      out[t.name] = t.zorder_by;
  for (const auto& m : rollups.metrics)
    if (!m.zorder_by.empty())
      out["rollup_" + m.metric] = m.zorder_by;
  return out;
}

result<tables_spec> load_tables_spec(const config::pipeline_spec& spec) {
  if (spec.path.empty())
    return parse_tables_spec("{}", spec);
  std::ifstream in{spec.path};
  if (!in)
    return spec_error("cannot open " + spec.path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_tables_spec(buf.str(), spec);
}

} // namespace freshet::compaction
