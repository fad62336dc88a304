#include "common/lake/record_mapping.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "common/lake/errc.hpp"
#include "common/lake/file_stats.hpp"

namespace freshet::lake {

namespace {

using json = nlohmann::json;
using kind = data_type::kind;
using parquet::value;

error mismatch(const std::string& path, const std::string& what) {
  return make_lake_error(errc::schema_mismatch, "column '" + path + "': " + what);
}

const char* json_kind(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return "a number";
  }
}

std::optional<int64_t> integral(double d) {
  if (!std::isfinite(d) || std::floor(d) != d || d < -9.2e18 || d > 9.2e18)
    return std::nullopt;
  return static_cast<int64_t>(d);
}

result<value> from_int(int64_t i, const data_type& t, const std::string& path) {
  switch (t.k) {
    case kind::long_: return value::int64(i);
    case kind::integer:
      if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max())
        return mismatch(path, std::to_string(i) + " does not fit an integer");
      return value::int32(static_cast<int32_t>(i));
    case kind::float_: return value::float32(static_cast<float>(i));
    case kind::double_: return value::float64(static_cast<double>(i));
    case kind::string: return value::bytes(std::to_string(i));
    case kind::date:
      if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max())
        return mismatch(path, "date out of range");
      return value::int32(static_cast<int32_t>(i));
    case kind::timestamp: {
      int64_t us = 0;
      if (__builtin_mul_overflow(i, t.source_unit_us, &us))
        return mismatch(path, "timestamp out of range");
      return value::int64(us);
    }
    default: return mismatch(path, "a number where " + type_name(t) + " is expected");
  }
}

result<value> from_double(double d, const data_type& t, const std::string& path) {
  switch (t.k) {
    case kind::float_: return value::float32(static_cast<float>(d));
    case kind::double_: return value::float64(d);
    case kind::string: return value::bytes(json(d).dump());
    case kind::long_:
    case kind::integer:
    case kind::date:
    case kind::timestamp: {
      auto i = integral(d);
      if (!i)
        return mismatch(path, "a fractional number where " + type_name(t) + " is expected");
      return from_int(*i, t, path);
    }
    default: return mismatch(path, "a number where " + type_name(t) + " is expected");
  }
}

result<value> from_string(const std::string& s, const data_type& t, const std::string& path) {
  switch (t.k) {
    case kind::string:
    case kind::binary: return value::bytes(s);
    case kind::date: {
      auto d = parse_date(s);
      if (!d)
        return mismatch(path, "'" + s + "' is not a YYYY-MM-DD date");
      return value::int32(*d);
    }
    default: return mismatch(path, "a string where " + type_name(t) + " is expected");
  }
}

result<value> from_json(const json& j, const data_type& t, bool nullable, const std::string& path);

result<value> absent(const struct_field& f, const std::string& path) {
  if (!f.default_json.empty()) {
    auto d = json::parse(f.default_json, nullptr, false);
    if (!d.is_discarded() && !d.is_null())
      return from_json(d, f.type, f.nullable, path);
  }
  if (f.nullable)
    return value{};
  return mismatch(path, "required, but the event has no value");
}

/// Whether a one-member object is Avro JSON's union wrapper `{"<branch>": value}`: the branch is a
/// type name (a primitive, or a named type: dotted or capitalised by convention).
bool union_wrapper(const json& j) {
  if (!j.is_object() || j.size() != 1)
    return false;
  const auto& key = j.begin().key();
  static const char* names[] = {"boolean", "int", "long", "float", "double", "bytes", "string", "array", "map"};
  for (const char* n : names)
    if (key == n)
      return true;
  return key.find('.') != std::string::npos || (!key.empty() && key[0] >= 'A' && key[0] <= 'Z');
}

result<value> from_json(const json& in, const data_type& t, bool nullable, const std::string& path) {
  const json* j = &in;
  if (t.k != kind::struct_ && t.k != kind::map && union_wrapper(*j))
    j = &j->begin().value();
  if (j->is_null()) {
    if (nullable)
      return value{};
    return mismatch(path, "null in a non-nullable column");
  }
  switch (t.k) {
    case kind::struct_: {
      if (!j->is_object())
        return mismatch(path, std::string{json_kind(*j)} + " where a struct is expected");
      std::vector<value> members;
      for (const auto& f : t.fields) {
        auto sub = path + "." + f.name;
        auto it = j->find(f.name);
        auto v = it == j->end() ? absent(f, sub) : from_json(*it, f.type, f.nullable, sub);
        if (!v.ok())
          return v.err();
        members.push_back(std::move(*v));
      }
      return value::struct_(std::move(members));
    }
    case kind::array: {
      if (!j->is_array())
        return mismatch(path, std::string{json_kind(*j)} + " where an array is expected");
      std::vector<value> items;
      for (const auto& item : *j) {
        auto v = from_json(item, t.children[0], t.contains_null, path + "[]");
        if (!v.ok())
          return v.err();
        items.push_back(std::move(*v));
      }
      return value::list(std::move(items));
    }
    case kind::map: {
      if (!j->is_object())
        return mismatch(path, std::string{json_kind(*j)} + " where a map is expected");
      std::vector<std::pair<value, value>> entries;
      for (auto it = j->begin(); it != j->end(); ++it) {
        auto key = from_string(it.key(), t.children[0], path + "{}");
        if (!key.ok())
          return key.err();
        auto v = from_json(it.value(), t.children[1], t.contains_null, path + "{" + it.key() + "}");
        if (!v.ok())
          return v.err();
        entries.emplace_back(std::move(*key), std::move(*v));
      }
      return value::map(std::move(entries));
    }
    case kind::boolean:
      if (!j->is_boolean())
        return mismatch(path, std::string{json_kind(*j)} + " where a boolean is expected");
      return value::boolean(j->get<bool>());
    default:
      break;
  }
  // An unsigned value past int64 goes the floating-point way (refused for integer columns), not wrapped.
  if (j->is_number_integer() && !(j->is_number_unsigned() && j->get<uint64_t>() > INT64_MAX))
    return from_int(j->get<int64_t>(), t, path);
  if (j->is_number())
    return from_double(j->get<double>(), t, path);
  if (j->is_string())
    return from_string(j->get<std::string>(), t, path);
  if (j->is_boolean() && t.k == kind::string)
    return value::bytes(j->get<bool>() ? "true" : "false");
  if (t.k == kind::string) // a multi-type union kept as text
    return value::bytes(j->dump());
  return mismatch(path, std::string{json_kind(*j)} + " where " + type_name(t) + " is expected");
}

result<value> from_event(const event::value& v, const data_type& t, bool nullable, const std::string& path) {
  struct visitor {
    const data_type& t;
    bool nullable;
    const std::string& path;
    result<value> operator()(std::monostate) const {
      if (nullable)
        return value{};
      return mismatch(path, "null in a non-nullable column");
    }
    result<value> operator()(bool b) const {
      if (t.k == kind::boolean)
        return value::boolean(b);
      if (t.k == kind::string)
        return value::bytes(b ? "true" : "false");
      return mismatch(path, "a boolean where " + type_name(t) + " is expected");
    }
    result<value> operator()(int64_t i) const { return from_int(i, t, path); }
    result<value> operator()(double d) const { return from_double(d, t, path); }
    result<value> operator()(const std::string& s) const {
      if (t.k == kind::struct_ || t.k == kind::array || t.k == kind::map) {
        auto j = json::parse(s, nullptr, false);
        if (j.is_discarded())
          return mismatch(path, "text that is not JSON where " + type_name(t) + " is expected");
        return from_json(j, t, nullable, path);
      }
      return from_string(s, t, path);
    }
  };
  return std::visit(visitor{t, nullable, path}, v);
}

bool has_prefix(const event::record& rec, const std::string& prefix) {
  for (const auto& [p, v] : rec.fields())
    if (p.size() > prefix.size() && p.starts_with(prefix) && p[prefix.size()] == '.')
      return true;
  return false;
}

result<value> from_record(const event::record& rec, const std::string& path, const struct_field& f) {
  const event::value* self = rec.get(path);
  if (self && event::is_null(*self))
    return f.nullable ? result<value>{value{}} : absent(f, path);
  const auto& t = f.type;
  if (t.k == kind::struct_ && !self) {
    if (!has_prefix(rec, path))
      return absent(f, path);
    std::vector<value> members;
    for (const auto& m : t.fields) {
      auto v = from_record(rec, path + "." + m.name, m);
      if (!v.ok())
        return v.err();
      members.push_back(std::move(*v));
    }
    return value::struct_(std::move(members));
  }
  if (t.k == kind::map && !self) {
    std::vector<std::pair<value, value>> entries;
    for (const auto& [p, v] : rec.fields()) {
      if (!(p.size() > path.size() && p.starts_with(path) && p[path.size()] == '.'))
        continue;
      auto key = p.substr(path.size() + 1);
      auto k = from_string(key, t.children[0], path + "{}");
      if (!k.ok())
        return k.err();
      auto converted = from_event(v, t.children[1], t.contains_null, path + "{" + key + "}");
      if (!converted.ok())
        return converted.err();
      entries.emplace_back(std::move(*k), std::move(*converted));
    }
    if (entries.empty())
      return absent(f, path);
    return value::map(std::move(entries));
  }
  if (!self)
    return absent(f, path);
  return from_event(*self, t, f.nullable, path);
}

} // namespace

namespace detail {

result<parquet::value> convert_event(const event::value& v, const data_type& t, bool nullable, const std::string& path) {
  return from_event(v, t, nullable, path);
}

result<parquet::value> absent_value(const struct_field& f, const std::string& path) {
  return absent(f, path);
}

} // namespace detail

row_mapper::row_mapper(table_schema data_columns) : columns_(std::move(data_columns)) {}

result<parquet::row> row_mapper::map(const event::record& rec) const {
  parquet::row out;
  out.reserve(columns_.size());
  for (const auto& c : columns_) {
    auto v = from_record(rec, c.name, c);
    if (!v.ok())
      return v.err();
    out.push_back(std::move(*v));
  }
  return out;
}

} // namespace freshet::lake
