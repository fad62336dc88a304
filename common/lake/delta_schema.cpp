#include "common/lake/delta_schema.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/lake/errc.hpp"

namespace freshet::lake {

namespace {

using json = nlohmann::json;
using kind = data_type::kind;

struct primitive_name {
  kind k;
  const char* name;
};

constexpr primitive_name primitive_names[] = {
  {kind::string, "string"},   {kind::long_, "long"},       {kind::integer, "integer"},
  {kind::short_, "short"},    {kind::byte, "byte"},        {kind::float_, "float"},
  {kind::double_, "double"},  {kind::boolean, "boolean"},  {kind::binary, "binary"},
  {kind::date, "date"},       {kind::timestamp, "timestamp"}, {kind::timestamp_ntz, "timestamp_ntz"},
};

json type_json(const data_type& t);

json field_json(const struct_field& f) {
  json meta = json::parse(f.metadata, nullptr, false);
  if (!meta.is_object())
    meta = json::object();
  return {{"name", f.name}, {"type", type_json(f.type)}, {"nullable", f.nullable}, {"metadata", meta}};
}

json type_json(const data_type& t) {
  switch (t.k) {
    case kind::struct_: {
      json fields = json::array();
      for (const auto& f : t.fields)
        fields.push_back(field_json(f));
      return {{"type", "struct"}, {"fields", fields}};
    }
    case kind::array:
      return {{"type", "array"}, {"elementType", type_json(t.children.at(0))}, {"containsNull", t.contains_null}};
    case kind::map:
      return {{"type", "map"},
              {"keyType", type_json(t.children.at(0))},
              {"valueType", type_json(t.children.at(1))},
              {"valueContainsNull", t.contains_null}};
    default:
      return type_name(t);
  }
}

result<data_type> parse_type(const json& j, int depth);

result<struct_field> parse_field(const json& j, int depth) {
  if (!j.is_object() || !j.contains("name") || !j.contains("type"))
    return make_lake_error(errc::malformed_log, "a schema field needs a name and a type");
  struct_field f;
  f.name = j.at("name").get<std::string>();
  auto t = parse_type(j.at("type"), depth + 1);
  if (!t.ok())
    return t.err();
  f.type = std::move(*t);
  f.nullable = j.value("nullable", true);
  if (auto m = j.find("metadata"); m != j.end() && m->is_object())
    f.metadata = m->dump();
  return f;
}

result<data_type> parse_type(const json& j, int depth) {
  if (depth > 64)
    return make_lake_error(errc::malformed_log, "schema nests too deeply");
  if (j.is_string()) {
    auto name = j.get<std::string>();
    for (const auto& p : primitive_names)
      if (name == p.name)
        return primitive(p.k);
    if (name.starts_with("decimal(")) {
      data_type d = primitive(kind::decimal);
      if (std::sscanf(name.c_str(), "decimal(%d,%d)", &d.precision, &d.scale) == 2)
        return d;
    }
    return make_lake_error(errc::unsupported, "unknown column type '" + name + "'");
  }
  if (!j.is_object() || !j.contains("type"))
    return make_lake_error(errc::malformed_log, "a schema type is neither a name nor an object");
  auto type = j.at("type").get<std::string>();
  if (type == "struct") {
    std::vector<struct_field> fields;
    for (const auto& f : j.at("fields")) {
      auto parsed = parse_field(f, depth);
      if (!parsed.ok())
        return parsed.err();
      fields.push_back(std::move(*parsed));
    }
    return struct_of(std::move(fields));
  }
  if (type == "array") {
    auto e = parse_type(j.at("elementType"), depth + 1);
    if (!e.ok())
      return e.err();
    return array_of(std::move(*e), j.value("containsNull", true));
  }
  if (type == "map") {
    auto k = parse_type(j.at("keyType"), depth + 1);
    if (!k.ok())
      return k.err();
    auto v = parse_type(j.at("valueType"), depth + 1);
    if (!v.ok())
      return v.err();
    return map_of(std::move(*k), std::move(*v), j.value("valueContainsNull", true));
  }
  return make_lake_error(errc::unsupported, "unknown complex type '" + type + "'");
}

result<parquet::field> parquet_field(const std::string& name, const data_type& t, bool nullable) {
  using parquet::type_kind;
  switch (t.k) {
    case kind::string: return parquet::make_field(name, type_kind::string, nullable);
    case kind::long_: return parquet::make_field(name, type_kind::int64, nullable);
    case kind::integer: return parquet::make_field(name, type_kind::int32, nullable);
    case kind::float_: return parquet::make_field(name, type_kind::float32, nullable);
    case kind::double_: return parquet::make_field(name, type_kind::float64, nullable);
    case kind::boolean: return parquet::make_field(name, type_kind::boolean, nullable);
    case kind::binary: return parquet::make_field(name, type_kind::binary, nullable);
    case kind::date: return parquet::make_field(name, type_kind::date, nullable);
    case kind::timestamp: return parquet::make_field(name, type_kind::timestamp_us, nullable);
    case kind::struct_: {
      std::vector<parquet::field> members;
      for (const auto& f : t.fields) {
        auto m = parquet_field(f.name, f.type, f.nullable);
        if (!m.ok())
          return m.err();
        members.push_back(std::move(*m));
      }
      return parquet::struct_field(name, std::move(members), nullable);
    }
    case kind::array: {
      auto e = parquet_field("element", t.children.at(0), t.contains_null);
      if (!e.ok())
        return e.err();
      return parquet::list_field(name, std::move(*e), nullable);
    }
    case kind::map: {
      auto k = parquet_field("key", t.children.at(0), false);
      if (!k.ok())
        return k.err();
      auto v = parquet_field("value", t.children.at(1), t.contains_null);
      if (!v.ok())
        return v.err();
      return parquet::map_field(name, std::move(*k), std::move(*v), nullable);
    }
    default:
      return make_lake_error(errc::unsupported, "column '" + name + "': type " + type_name(t) +
                                                  " has no Parquet mapping in common/parquet");
  }
}

} // namespace

data_type primitive(data_type::kind k) {
  data_type t;
  t.k = k;
  return t;
}

data_type struct_of(std::vector<struct_field> fields) {
  data_type t;
  t.k = kind::struct_;
  t.fields = std::move(fields);
  return t;
}

data_type array_of(data_type element, bool contains_null) {
  data_type t;
  t.k = kind::array;
  t.children.push_back(std::move(element));
  t.contains_null = contains_null;
  return t;
}

data_type map_of(data_type key, data_type value, bool value_contains_null) {
  data_type t;
  t.k = kind::map;
  t.children.push_back(std::move(key));
  t.children.push_back(std::move(value));
  t.contains_null = value_contains_null;
  return t;
}

struct_field column(std::string name, data_type type, bool nullable) {
  struct_field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.nullable = nullable;
  return f;
}

std::string type_name(const data_type& t) {
  if (t.k == kind::decimal)
    return "decimal(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
  for (const auto& p : primitive_names)
    if (p.k == t.k)
      return p.name;
  switch (t.k) {
    case kind::struct_: return "struct";
    case kind::array: return "array";
    case kind::map: return "map";
    default: return "unknown";
  }
}

std::string to_schema_string(const table_schema& s) {
  return type_json(struct_of(s)).dump();
}

result<table_schema> parse_schema_string(std::string_view text) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return make_lake_error(errc::malformed_log, "schemaString is not JSON");
  try {
    auto t = parse_type(doc, 0);
    if (!t.ok())
      return t.err();
    if (t->k != kind::struct_)
      return make_lake_error(errc::malformed_log, "schemaString is not a struct");
    return std::move(t->fields);
  } catch (const json::exception& e) {
    return make_lake_error(errc::malformed_log, std::string{"schemaString: "} + e.what());
  }
}

result<std::vector<parquet::field>> to_parquet_fields(const table_schema& columns) {
  std::vector<parquet::field> out;
  for (const auto& c : columns) {
    auto f = parquet_field(c.name, c.type, c.nullable);
    if (!f.ok())
      return f.err();
    out.push_back(std::move(*f));
  }
  return out;
}

table_schema without_columns(const table_schema& s, const std::vector<std::string>& names) {
  table_schema out;
  for (const auto& f : s)
    if (std::find(names.begin(), names.end(), f.name) == names.end())
      out.push_back(f);
  return out;
}

const struct_field* find_column(const table_schema& s, std::string_view name) {
  for (const auto& f : s)
    if (f.name == name)
      return &f;
  return nullptr;
}

} // namespace freshet::lake
