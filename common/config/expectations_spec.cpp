#include "common/config/expectations_spec.hpp"

#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace freshet::config {

namespace {

error spec_error(std::string msg) {
  return make_error(error_domain::config, 3, "pipeline spec: expectations: " + std::move(msg));
}

struct kind_name {
  expectation_kind kind;
  const char* key;
};

constexpr kind_name kinds[] = {
  {expectation_kind::not_null, "not_null"},     {expectation_kind::type, "type"},
  {expectation_kind::range, "range"},           {expectation_kind::in_set, "in_set"},
  {expectation_kind::regex, "regex"},           {expectation_kind::length, "length"},
  {expectation_kind::freshness, "freshness"},   {expectation_kind::rule, "rule"},
  {expectation_kind::unique, "unique"},         {expectation_kind::null_ratio, "null_ratio"},
  {expectation_kind::row_count, "row_count"},   {expectation_kind::distinct_ratio, "distinct_ratio"},
};

/// Keys an expectation item may carry besides its kind.
const std::set<std::string> item_keys{"name", "severity", "window", "min_rows", "webhook", "dedupe_window"};

/// Names the gate itself uses as reason codes; an expectation may not take them.
const std::set<std::string> reserved_names{"undecodable", "unknown_stream", "duplicate"};

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 128)
    return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  return true;
}

/// Context for error messages: "stream purchase, expectation amount_range".
struct where {
  std::string stream, name;
  [[nodiscard]] std::string operator()(const std::string& msg) const {
    if (stream.empty())
      return msg;
    return "stream " + stream + (name.empty() ? "" : ", expectation " + name) + ": " + msg;
  }
};

result<int64_t> duration_of(const YAML::Node& n, const where& at, const char* key) {
  if (!n.IsScalar())
    return spec_error(at(std::string{key} + " must be a duration like 30s, 5m, 24h"));
  auto d = parse_duration_ms(n.Scalar());
  if (!d)
    return spec_error(at(std::string{key} + ": " + d.err().message));
  return d;
}

status only_keys(const YAML::Node& args, const where& at, const char* kind, std::initializer_list<const char*> allowed) {
  if (!args.IsMap())
    return spec_error(at(std::string{kind} + " takes a map"));
  for (auto it = args.begin(); it != args.end(); ++it) {
    auto key = it->first.as<std::string>();
    bool known = false;
    for (const char* a : allowed)
      known = known || key == a;
    if (!known)
      return spec_error(at(std::string{kind} + ": unknown key '" + key + "'"));
  }
  return {};
}

status need_field(const YAML::Node& args, expectation_spec& e, const where& at) {
  if (!args["field"] || !args["field"].IsScalar() || args["field"].Scalar().empty())
    return spec_error(at(std::string{to_string(e.kind)} + " needs a field"));
  e.fields = {args["field"].Scalar()};
  return {};
}

std::optional<double> number_or_none(const YAML::Node& args, const char* key) {
  if (!args[key])
    return std::nullopt;
  return args[key].as<double>();
}

status parse_bounds(const YAML::Node& args, expectation_spec& e, const where& at, bool need_one) {
  e.min = number_or_none(args, "min");
  e.max = number_or_none(args, "max");
  if (need_one && !e.min && !e.max)
    return spec_error(at(std::string{to_string(e.kind)} + " needs min or max"));
  if ((e.min && !std::isfinite(*e.min)) || (e.max && !std::isfinite(*e.max)))
    return spec_error(at("min and max must be finite numbers"));
  if (e.min && e.max && *e.min > *e.max)
    return spec_error(at("min is above max"));
  return {};
}

status parse_kind_args(const YAML::Node& args, expectation_spec& e, const where& at, const pipeline_spec& spec) {
  switch (e.kind) {
    case expectation_kind::not_null: {
      if (args.IsScalar())
        e.fields = {args.Scalar()};
      else if (args.IsSequence())
        for (const auto& f : args)
          e.fields.push_back(f.as<std::string>());
      if (e.fields.empty())
        return spec_error(at("not_null takes a field or a list of fields"));
      for (const auto& f : e.fields)
        if (f.empty())
          return spec_error(at("not_null: empty field name"));
      return {};
    }
    case expectation_kind::type: {
      FRESHET_TRY(only_keys(args, at, "type", {"field", "is"}));
      FRESHET_TRY(need_field(args, e, at));
      auto is = args["is"] ? args["is"].as<std::string>() : "";
      if (is == "string")
        e.type = value_type::string;
      else if (is == "number")
        e.type = value_type::number;
      else if (is == "integer")
        e.type = value_type::integer;
      else if (is == "boolean")
        e.type = value_type::boolean;
      else
        return spec_error(at("type: 'is' must be string, number, integer or boolean, not '" + is + "'"));
      return {};
    }
    case expectation_kind::range:
      FRESHET_TRY(only_keys(args, at, "range", {"field", "min", "max", "exclusive_min", "exclusive_max"}));
      FRESHET_TRY(need_field(args, e, at));
      e.exclusive_min = args["exclusive_min"] && args["exclusive_min"].as<bool>();
      e.exclusive_max = args["exclusive_max"] && args["exclusive_max"].as<bool>();
      return parse_bounds(args, e, at, true);
    case expectation_kind::in_set:
      FRESHET_TRY(only_keys(args, at, "in_set", {"field", "values"}));
      FRESHET_TRY(need_field(args, e, at));
      if (!args["values"] || !args["values"].IsSequence() || args["values"].size() == 0)
        return spec_error(at("in_set needs a non-empty list of values"));
      for (const auto& v : args["values"]) {
        if (!v.IsScalar())
          return spec_error(at("in_set values must be scalars"));
        e.values.push_back(v.Scalar());
      }
      return {};
    case expectation_kind::regex:
      FRESHET_TRY(only_keys(args, at, "regex", {"field", "pattern"}));
      FRESHET_TRY(need_field(args, e, at));
      e.pattern = args["pattern"] ? args["pattern"].as<std::string>() : "";
      if (e.pattern.empty())
        return spec_error(at("regex needs a pattern"));
      return {};
    case expectation_kind::length:
      FRESHET_TRY(only_keys(args, at, "length", {"field", "min", "max"}));
      FRESHET_TRY(need_field(args, e, at));
      FRESHET_TRY(parse_bounds(args, e, at, true));
      if ((e.min && *e.min < 0) || (e.max && *e.max < 0))
        return spec_error(at("length bounds cannot be negative"));
      return {};
    case expectation_kind::freshness: {
      FRESHET_TRY(only_keys(args, at, "freshness", {"field", "max_ahead", "max_age"}));
      if (args["field"]) {
        FRESHET_TRY(need_field(args, e, at));
      } else {
        const auto* s = spec.stream(e.stream);
        if (!s || s->event_time_field.empty())
          return spec_error(at("freshness needs a field (the stream declares no event_time)"));
        e.fields = {s->event_time_field};
      }
      if (args["max_ahead"]) {
        auto d = duration_of(args["max_ahead"], at, "max_ahead");
        if (!d)
          return d.err();
        e.max_ahead_ms = *d;
      }
      if (args["max_age"]) {
        auto d = duration_of(args["max_age"], at, "max_age");
        if (!d)
          return d.err();
        e.max_age_ms = *d;
      }
      if (!e.max_ahead_ms && !e.max_age_ms)
        return spec_error(at("freshness needs max_ahead or max_age"));
      return {};
    }
    case expectation_kind::rule:
      if (!args.IsScalar() || args.Scalar().empty())
        return spec_error(at("rule takes an expression"));
      e.expression = args.Scalar();
      return {};
    case expectation_kind::unique:
      if (!args.IsScalar() || args.Scalar().empty())
        return spec_error(at("unique takes the id field (event_id for the freshet.event_id header)"));
      e.fields = {args.Scalar()};
      return {};
    case expectation_kind::null_ratio:
      FRESHET_TRY(only_keys(args, at, "null_ratio", {"field", "max"}));
      FRESHET_TRY(need_field(args, e, at));
      e.max = number_or_none(args, "max");
      if (!e.max || *e.max < 0 || *e.max > 1)
        return spec_error(at("null_ratio needs max between 0 and 1"));
      return {};
    case expectation_kind::row_count:
      FRESHET_TRY(only_keys(args, at, "row_count", {"min", "max"}));
      return parse_bounds(args, e, at, true);
    case expectation_kind::distinct_ratio:
      FRESHET_TRY(only_keys(args, at, "distinct_ratio", {"field", "min", "max"}));
      FRESHET_TRY(need_field(args, e, at));
      FRESHET_TRY(parse_bounds(args, e, at, true));
      if ((e.min && (*e.min < 0 || *e.min > 1)) || (e.max && (*e.max < 0 || *e.max > 1)))
        return spec_error(at("distinct_ratio bounds lie between 0 and 1"));
      return {};
  }
  return spec_error(at("unhandled kind"));
}

status check_webhook(const std::string& url, const where& at) {
  if (url.empty())
    return {};
  if (url.rfind("http://", 0) != 0 || url.size() <= 7 || url[7] == '/')
    return spec_error(at("webhook must be an http:// URL with a host, not '" + url + "'"));
  return {};
}

result<expectation_spec> parse_item_body(const YAML::Node& n, const std::string& stream, const pipeline_spec& spec,
                                         const std::string& default_webhook, where& at) {
  if (!n.IsMap())
    return spec_error(at("every expectation is a map with a name and one kind"));
  expectation_spec e;
  e.stream = stream;
  e.name = n["name"] ? n["name"].as<std::string>() : "";
  at.name = e.name;
  if (!valid_name(e.name))
    return spec_error(at("every expectation needs a name of letters, digits, '_', '-' and '.'"));
  if (reserved_names.count(e.name))
    return spec_error(at("'" + e.name + "' is a reason code of the gate; pick another name"));
  const kind_name* found = nullptr;
  for (auto it = n.begin(); it != n.end(); ++it) {
    auto key = it->first.as<std::string>();
    if (item_keys.count(key))
      continue;
    const kind_name* k = nullptr;
    for (const auto& cand : kinds)
      if (key == cand.key)
        k = &cand;
    if (!k)
      return spec_error(at("unknown key '" + key + "'"));
    if (found)
      return spec_error(at("names two kinds ('" + std::string{found->key} + "' and '" + key + "'); use one each"));
    found = k;
  }
  if (!found)
    return spec_error(at("names no kind (not_null, type, range, in_set, regex, length, freshness, rule, unique, "
                         "null_ratio, row_count, distinct_ratio)"));
  e.kind = found->kind;
  FRESHET_TRY(parse_kind_args(n[found->key], e, at, spec));

  bool windowed = is_windowed(e.kind);
  if (e.kind == expectation_kind::unique)
    e.severity = expectation_severity::drop;
  if (n["severity"]) {
    if (windowed)
      return spec_error(at("windowed expectations raise alerts and take no severity"));
    auto s = n["severity"].as<std::string>();
    if (s == "quarantine")
      e.severity = expectation_severity::quarantine;
    else if (s == "warn")
      e.severity = expectation_severity::warn;
    else if (s == "drop" && e.kind == expectation_kind::unique)
      e.severity = expectation_severity::drop;
    else
      return spec_error(at("severity must be quarantine or warn" +
                           std::string{e.kind == expectation_kind::unique ? " or drop" : ""} + ", not '" + s + "'"));
  }
  if (n["dedupe_window"]) {
    if (e.kind != expectation_kind::unique)
      return spec_error(at("dedupe_window belongs to unique expectations"));
    auto d = duration_of(n["dedupe_window"], at, "dedupe_window");
    if (!d)
      return d.err();
    e.dedupe_window_ms = *d;
  } else if (e.kind == expectation_kind::unique) {
    return spec_error(at("unique needs a dedupe_window (e.g. 24h)"));
  }
  for (const char* key : {"window", "min_rows", "webhook"})
    if (n[key] && !windowed)
      return spec_error(at(std::string{key} + " belongs to windowed expectations"));
  if (n["window"]) {
    auto d = duration_of(n["window"], at, "window");
    if (!d)
      return d.err();
    if (*d < 1000)
      return spec_error(at("window must be at least 1s"));
    e.window_ms = *d;
  }
  if (n["min_rows"]) {
    e.min_rows = n["min_rows"].as<int64_t>();
    if (e.min_rows < 1)
      return spec_error(at("min_rows must be at least 1"));
  }
  if (windowed) {
    e.webhook = n["webhook"] ? n["webhook"].as<std::string>() : default_webhook;
    FRESHET_TRY(check_webhook(e.webhook, at));
  }
  return e;
}

/// One list item; a value of the wrong YAML type is reported with the expectation it belongs to.
result<expectation_spec> parse_item(const YAML::Node& n, const std::string& stream, const pipeline_spec& spec,
                                    const std::string& default_webhook) {
  where at{stream, ""};
  try {
    return parse_item_body(n, stream, spec, default_webhook, at);
  } catch (const YAML::Exception& e) {
    return spec_error(at(std::string{"bad value: "} + e.what()));
  }
}

} // namespace

const char* to_string(expectation_kind k) {
  for (const auto& c : kinds)
    if (c.kind == k)
      return c.key;
  return "unknown";
}

bool is_windowed(expectation_kind k) {
  return k == expectation_kind::null_ratio || k == expectation_kind::row_count ||
         k == expectation_kind::distinct_ratio;
}

const char* to_string(expectation_severity s) {
  switch (s) {
    case expectation_severity::quarantine: return "quarantine";
    case expectation_severity::warn: return "warn";
    case expectation_severity::drop: return "drop";
  }
  return "unknown";
}

const char* to_string(value_type t) {
  switch (t) {
    case value_type::string: return "string";
    case value_type::number: return "number";
    case value_type::integer: return "integer";
    case value_type::boolean: return "boolean";
  }
  return "unknown";
}

std::vector<const expectation_spec*> expectations_spec::of_stream(std::string_view stream) const {
  std::vector<const expectation_spec*> out;
  for (const auto& e : expectations)
    if (e.stream == stream)
      out.push_back(&e);
  return out;
}

result<int64_t> parse_duration_ms(std::string_view text) {
  auto bad = [&] {
    return make_error(error_domain::config, 3,
                      "'" + std::string{text} + "' is not a duration (250ms, 30s, 5m, 24h, 7d or milliseconds)");
  };
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > 1'000'000'000'000LL)
      return bad();
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0)
    return bad();
  auto unit = text.substr(i);
  int64_t scale = 0;
  if (unit.empty() || unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else if (unit == "d")
    scale = 86'400'000;
  else
    return bad();
  if (n > (int64_t{1} << 50) / scale)
    return bad();
  return n * scale;
}

result<expectations_spec> parse_expectations_spec(const std::string& yaml_text, const pipeline_spec& spec) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return spec_error(e.what());
  }
  expectations_spec out;
  auto section = root["expectations"];
  if (!section || section.IsNull())
    return out;
  try {
    if (!section.IsMap())
      return spec_error("the section is a map with 'streams' (and optionally 'webhook')");
    for (auto it = section.begin(); it != section.end(); ++it) {
      auto key = it->first.as<std::string>();
      if (key != "streams" && key != "webhook")
        return spec_error("unknown key '" + key + "' (expected streams, webhook)");
    }
    if (section["webhook"]) {
      out.default_webhook = section["webhook"].as<std::string>();
      FRESHET_TRY(check_webhook(out.default_webhook, where{}));
    }
    auto streams = section["streams"];
    if (streams && !streams.IsNull() && !streams.IsMap())
      return spec_error("'streams' maps stream names to lists of expectations");
    if (streams && streams.IsMap()) {
      for (auto it = streams.begin(); it != streams.end(); ++it) {
        auto stream = it->first.as<std::string>();
        if (!spec.stream(stream))
          return spec_error("stream '" + stream + "' is not declared under streams");
        // A copy: `it->second` lives in a proxy that dies with the full expression.
        YAML::Node list = it->second;
        if (!list.IsSequence())
          return spec_error("stream " + stream + ": expectations are a list");
        std::set<std::string> names;
        bool has_unique = false;
        for (const auto& item : list) {
          auto e = parse_item(item, stream, spec, out.default_webhook);
          if (!e)
            return e.err();
          if (!names.insert(e->name).second)
            return spec_error("stream " + stream + ": expectation name '" + e->name + "' appears twice");
          if (e->kind == expectation_kind::unique) {
            if (has_unique)
              return spec_error("stream " + stream + ": at most one unique expectation per stream");
            has_unique = true;
          }
          out.expectations.push_back(std::move(*e));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return spec_error(e.what());
  }
  return out;
}

result<expectations_spec> load_expectations_spec(const pipeline_spec& spec) {
  if (spec.path.empty())
    return expectations_spec{};
  std::ifstream in{spec.path};
  if (!in)
    return spec_error("cannot open " + spec.path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_expectations_spec(buf.str(), spec);
}

} // namespace freshet::config
