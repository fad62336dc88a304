#include "common/config/enrichment_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace freshet::config {

namespace {

error enrich_error(std::string msg) {
  return make_error(error_domain::config, 3, "pipeline spec: enrichments: " + std::move(msg));
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

/// "a", "a.b_c": identifier segments joined by dots (each segment becomes an Avro field name).
bool is_field_path(const std::string& s) {
  size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    if (!is_identifier(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start)))
      return false;
    if (dot == std::string::npos)
      return true;
    start = dot + 1;
  }
}

bool is_table_name(const std::string& s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return false;
  return true;
}

/// Keys outside `allowed` are typos more often than not: say so instead of ignoring them.
status only_keys(const YAML::Node& n, std::initializer_list<const char*> allowed, const std::string& where) {
  if (!n.IsMap())
    return enrich_error(where + " must be a map");
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto key = it->first.as<std::string>();
    bool known = false;
    for (const char* a : allowed)
      known = known || key == a;
    if (!known) {
      std::string list;
      for (const char* a : allowed)
        list += (list.empty() ? "" : ", ") + std::string{a};
      return enrich_error(where + ": unknown key '" + key + "' (known: " + list + ")");
    }
  }
  return {};
}

std::string text(const YAML::Node& n, const char* key) {
  const auto& v = n[key];
  if (!v || v.IsNull())
    return "";
  return v.as<std::string>();
}

/// A YAML scalar as a typed constant: quoted scalars are strings; plain ones are null, booleans,
/// integers or numbers when they read as such.
result<literal> to_literal(const YAML::Node& n, const std::string& where) {
  if (!n || n.IsNull())
    return literal{};
  if (!n.IsScalar())
    return enrich_error(where + ": a default must be a scalar");
  const auto& s = n.Scalar();
  if (n.Tag() == "!")
    return literal{s};
  if (s == "~" || s == "null" || s == "Null" || s == "NULL")
    return literal{};
  if (s == "true" || s == "True" || s == "TRUE")
    return literal{true};
  if (s == "false" || s == "False" || s == "FALSE")
    return literal{false};
  int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc{} && end == s.data() + s.size())
    return literal{i};
  if (!s.empty()) {
    char* stop = nullptr;
    double d = std::strtod(s.c_str(), &stop);
    if (stop == s.c_str() + s.size() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                                         s[0] == '+' || s[0] == '.'))
      return literal{d};
  }
  return literal{s};
}

result<table_spec> parse_table(const YAML::Node& n, const pipeline_spec& pipeline) {
  FRESHET_TRY(only_keys(n, {"name", "key", "topic", "schema", "ip_ranges", "redis"}, "a table"));
  table_spec t;
  t.name = text(n, "name");
  if (!is_table_name(t.name))
    return enrich_error("table name '" + t.name + "' may hold only letters, digits, '_' and '-' (and is required)");
  auto where = "table " + t.name;
  t.key_field = text(n, "key");
  if (auto schema = text(n, "schema"); !schema.empty())
    t.schema_file = pipeline.resolve(schema);
  if (const auto& r = n["redis"]) {
    FRESHET_TRY(only_keys(r, {"key_prefix", "cache_entries", "ttl_ms", "miss_ttl_ms"}, where + ": redis"));
    redis_table_options o;
    o.key_prefix = text(r, "key_prefix");
    if (r["cache_entries"])
      o.cache_entries = r["cache_entries"].as<size_t>();
    if (r["ttl_ms"])
      o.ttl_ms = r["ttl_ms"].as<int64_t>();
    if (r["miss_ttl_ms"])
      o.miss_ttl_ms = r["miss_ttl_ms"].as<int64_t>();
    if (o.cache_entries < 1 || o.ttl_ms < 0 || o.miss_ttl_ms < 0)
      return enrich_error(where + ": cache_entries must be at least 1 and TTLs not negative");
    if (n["topic"] || n["ip_ranges"])
      return enrich_error(where + ": a Redis table has no topic and no ip_ranges");
    t.redis = o;
    return t;
  }
  if (t.key_field.empty())
    return enrich_error(where + ": 'key' (the field its records are keyed by) is required");
  t.topic = text(n, "topic");
  if (t.topic.empty()) {
    const auto* declared = pipeline.topic("dim_" + t.name);
    t.topic = declared ? declared->name : "dim." + t.name;
  }
  if (const auto& r = n["ip_ranges"]) {
    FRESHET_TRY(only_keys(r, {"cidr", "first", "last"}, where + ": ip_ranges"));
    ip_range_columns c{text(r, "cidr"), text(r, "first"), text(r, "last")};
    bool cidr = !c.cidr.empty(), pair = !c.first.empty() && !c.last.empty();
    if (cidr == pair)
      return enrich_error(where + ": ip_ranges needs either 'cidr' or both 'first' and 'last'");
    t.ip_ranges = c;
  }
  return t;
}

result<std::vector<std::string>> string_list(const YAML::Node& n, const std::string& where) {
  std::vector<std::string> out;
  if (!n)
    return out;
  if (!n.IsSequence())
    return enrich_error(where + " must be a list");
  for (const auto& item : n)
    out.push_back(item.as<std::string>());
  return out;
}

result<derived_field_spec> parse_field(const YAML::Node& n, const enrichment_spec& spec, const pipeline_spec& pipeline) {
  FRESHET_TRY(only_keys(n, {"name", "lookup", "ip_lookup", "device_class", "expression", "streams", "type",
                            "on_miss", "default"},
                        "a derived field"));
  derived_field_spec f;
  f.name = text(n, "name");
  if (!is_field_path(f.name))
    return enrich_error("derived field name '" + f.name + "' must be identifiers joined by dots (and is required)");
  auto where = "field " + f.name;
  int kinds = 0;
  if (const auto& l = n["lookup"]) {
    ++kinds;
    f.kind = derivation_kind::lookup;
    FRESHET_TRY(only_keys(l, {"table", "key", "field", "fields"}, where + ": lookup"));
    f.table = text(l, "table");
    f.input = text(l, "key");
    f.column = text(l, "field");
    auto cols = string_list(l["fields"], where + ": fields");
    if (!cols)
      return cols.err();
    f.columns = std::move(*cols);
  }
  if (const auto& l = n["ip_lookup"]) {
    ++kinds;
    f.kind = derivation_kind::ip_lookup;
    FRESHET_TRY(only_keys(l, {"table", "ip", "field", "fields"}, where + ": ip_lookup"));
    f.table = text(l, "table");
    f.input = text(l, "ip");
    f.column = text(l, "field");
    auto cols = string_list(l["fields"], where + ": fields");
    if (!cols)
      return cols.err();
    f.columns = std::move(*cols);
  }
  if (const auto& d = n["device_class"]) {
    ++kinds;
    f.kind = derivation_kind::device_class;
    FRESHET_TRY(only_keys(d, {"user_agent"}, where + ": device_class"));
    f.input = text(d, "user_agent");
    if (f.input.empty())
      return enrich_error(where + ": device_class needs 'user_agent' (the field holding it)");
  }
  if (n["expression"]) {
    ++kinds;
    f.kind = derivation_kind::expression;
    f.expression = text(n, "expression");
    if (f.expression.empty())
      return enrich_error(where + ": the expression is empty");
  }
  if (kinds != 1)
    return enrich_error(where + ": needs exactly one of lookup, ip_lookup, device_class, expression");

  if (f.kind == derivation_kind::lookup || f.kind == derivation_kind::ip_lookup) {
    const auto* t = spec.table(f.table);
    if (!t)
      return enrich_error(where + ": no table named '" + f.table + "'");
    if (f.input.empty())
      return enrich_error(where + ": needs the input field ('" +
                          std::string{f.kind == derivation_kind::lookup ? "key" : "ip"} + "')");
    if (f.kind == derivation_kind::ip_lookup && !t->ip_ranges)
      return enrich_error(where + ": table " + t->name + " declares no ip_ranges");
    if (f.column.empty() == f.columns.empty())
      return enrich_error(where + ": give either 'field' (one column) or 'fields' (a list)");
    std::set<std::string> seen;
    for (const auto& c : f.columns)
      if (!is_field_path(c) || !seen.insert(c).second)
        return enrich_error(where + ": column '" + c + "' is not a field path or appears twice");
  }

  auto streams = string_list(n["streams"], where + ": streams");
  if (!streams)
    return streams.err();
  f.streams = std::move(*streams);
  for (const auto& s : f.streams)
    if (!pipeline.stream(s))
      return enrich_error(where + ": no stream named '" + s + "'");
  f.type = text(n, "type");
  if (!f.type.empty() && !f.columns.empty())
    return enrich_error(where + ": 'type' applies to single outputs; a multi-column lookup takes its types from the table's schema");

  const auto& policy = n["on_miss"];
  std::string p = !policy || policy.IsNull() ? "null" : policy.as<std::string>();
  if (p == "null")
    f.on_miss = miss_policy::null;
  else if (p == "default")
    f.on_miss = miss_policy::use_default;
  else if (p == "quarantine")
    f.on_miss = miss_policy::quarantine;
  else
    return enrich_error(where + ": on_miss must be null, default or quarantine, not '" + p + "'");
  if (f.kind == derivation_kind::device_class && f.on_miss != miss_policy::null)
    return enrich_error(where + ": device_class never misses; drop on_miss");

  const auto& def = n["default"];
  if (f.on_miss == miss_policy::use_default && !def)
    return enrich_error(where + ": on_miss: default needs a 'default'");
  if (f.on_miss != miss_policy::use_default && def)
    return enrich_error(where + ": 'default' is used only with on_miss: default");
  if (def && !f.columns.empty()) {
    if (!def.IsMap())
      return enrich_error(where + ": the default of a multi-column lookup is a map column -> value");
    for (auto it = def.begin(); it != def.end(); ++it) {
      auto col = it->first.as<std::string>();
      if (std::find(f.columns.begin(), f.columns.end(), col) == f.columns.end())
        return enrich_error(where + ": default for '" + col + "', which is not among its fields");
      auto v = to_literal(it->second, where);
      if (!v)
        return v.err();
      f.defaults[col] = std::move(*v);
    }
  } else if (def) {
    auto v = to_literal(def, where);
    if (!v)
      return v.err();
    f.defaults[""] = std::move(*v);
  }
  return f;
}

bool clash(const std::string& a, const std::string& b) {
  if (a == b)
    return true;
  const auto& shorter = a.size() < b.size() ? a : b;
  const auto& longer = a.size() < b.size() ? b : a;
  return longer.starts_with(shorter) && longer[shorter.size()] == '.';
}

} // namespace

const char* to_string(miss_policy p) {
  switch (p) {
    case miss_policy::null: return "null";
    case miss_policy::use_default: return "default";
    case miss_policy::quarantine: return "quarantine";
  }
  return "?";
}

const char* to_string(derivation_kind k) {
  switch (k) {
    case derivation_kind::lookup: return "lookup";
    case derivation_kind::ip_lookup: return "ip_lookup";
    case derivation_kind::device_class: return "device_class";
    case derivation_kind::expression: return "expression";
  }
  return "?";
}

std::vector<std::string> derived_field_spec::outputs() const {
  if (columns.empty())
    return {name};
  std::vector<std::string> out;
  for (const auto& c : columns)
    out.push_back(name + "." + c);
  return out;
}

bool derived_field_spec::applies_to(const std::string& stream) const {
  return streams.empty() || std::find(streams.begin(), streams.end(), stream) != streams.end();
}

const table_spec* enrichment_spec::table(const std::string& name) const {
  for (const auto& t : tables)
    if (t.name == name)
      return &t;
  return nullptr;
}

result<enrichment_spec> parse_enrichment_spec(const std::string& yaml_text, const pipeline_spec& pipeline) {
  enrichment_spec spec;
  try {
    auto root = YAML::Load(yaml_text);
    const auto& section = root["enrichments"];
    if (!section || section.IsNull())
      return spec;
    FRESHET_TRY(only_keys(section, {"tables", "functions", "fields"}, "the section"));
    for (const auto& n : section["tables"]) {
      auto t = parse_table(n, pipeline);
      if (!t)
        return t.err();
      if (spec.table(t->name))
        return enrich_error("table '" + t->name + "' appears twice");
      spec.tables.push_back(std::move(*t));
    }
    if (const auto& fns = section["functions"]) {
      if (!fns.IsMap())
        return enrich_error("functions must be a map name -> {table, field}");
      for (auto it = fns.begin(); it != fns.end(); ++it) {
        function_spec f{it->first.as<std::string>(), "", ""};
        FRESHET_TRY(only_keys(it->second, {"table", "field"}, "function " + f.name));
        f.table = text(it->second, "table");
        f.field = text(it->second, "field");
        if (!is_identifier(f.name))
          return enrich_error("function name '" + f.name + "' must be an identifier");
        if (!spec.table(f.table))
          return enrich_error("function " + f.name + ": no table named '" + f.table + "'");
        if (!is_field_path(f.field))
          return enrich_error("function " + f.name + ": 'field' must name a column");
        spec.functions.push_back(std::move(f));
      }
    }
    std::vector<std::string> outputs;
    for (const auto& n : section["fields"]) {
      auto f = parse_field(n, spec, pipeline);
      if (!f)
        return f.err();
      for (const auto& out : f->outputs()) {
        for (const auto& other : outputs)
          if (clash(out, other))
            return enrich_error("derived fields '" + other + "' and '" + out + "' overlap");
        outputs.push_back(out);
      }
      spec.fields.push_back(std::move(*f));
    }
  } catch (const YAML::Exception& e) {
    return enrich_error(e.what());
  }
  return spec;
}

result<enrichment_spec> load_enrichment_spec(const pipeline_spec& pipeline) {
  if (pipeline.path.empty())
    return enrichment_spec{};
  std::ifstream in{pipeline.path};
  if (!in)
    return enrich_error("cannot open " + pipeline.path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_enrichment_spec(buf.str(), pipeline);
}

} // namespace freshet::config
