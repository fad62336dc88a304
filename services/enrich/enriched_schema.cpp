#include "services/enrich/enriched_schema.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

namespace freshet::enrich {

namespace {

using json = nlohmann::json;

error schema_error(std::string msg) {
  return make_error(error_domain::config, 20, "enriched schema: " + std::move(msg));
}

bool is_primitive_override(const std::string& t) {
  for (const char* p : {"string", "long", "int", "double", "float", "boolean"})
    if (t == p)
      return true;
  return false;
}

/// The non-null branches of a column's declared type, as values of a joined column can hold them:
/// enums are strings (a default like "unknown" need not be a symbol), arrays and maps are kept as
/// JSON text, records cannot be joined whole.
result<std::vector<json>> joinable(const json& type, const std::string& where) {
  if (type.is_array()) {
    std::vector<json> out;
    for (const auto& branch : type) {
      if (branch == "null")
        continue;
      auto b = joinable(branch, where);
      if (!b)
        return b.err();
      for (auto& x : *b)
        if (std::find(out.begin(), out.end(), x) == out.end())
          out.push_back(std::move(x));
    }
    return out;
  }
  if (type.is_string()) {
    auto t = type.get<std::string>();
    if (t == "null")
      return std::vector<json>{};
    if (t == "bytes")
      return std::vector<json>{"string"};
    return std::vector<json>{is_primitive_override(t) ? type : json("string")};
  }
  if (type.is_object()) {
    auto t = type.value("type", "");
    if (t == "record")
      return schema_error(where + " is a record: join its fields one by one");
    if (t == "enum" || t == "array" || t == "map" || t == "fixed" || t == "bytes")
      return std::vector<json>{"string"};
    if (is_primitive_override(t))
      return std::vector<json>{type}; // keeps logical types (timestamp-millis, ...)
  }
  return std::vector<json>{"string"};
}

/// The declared type of a (dotted) column in a table's record schema, or nothing.
std::optional<json> column_type(const json& record, const std::string& column) {
  const json* rec = &record;
  size_t start = 0;
  while (true) {
    auto dot = column.find('.', start);
    auto name = column.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!rec->is_object() || !rec->contains("fields") || !(*rec)["fields"].is_array())
      return std::nullopt;
    const json* found = nullptr;
    for (const auto& f : (*rec)["fields"])
      if (f.value("name", "") == name)
        found = &f["type"];
    if (!found)
      return std::nullopt;
    if (dot == std::string::npos)
      return *found;
    const json* next = found;
    if (found->is_array())
      for (const auto& b : *found)
        if (b.is_object() && b.value("type", "") == "record")
          next = &b;
    rec = next;
    start = dot + 1;
  }
}

std::string type_text(const std::vector<json>& branches) {
  if (branches.empty())
    return json("string").dump();
  if (branches.size() == 1)
    return branches.front().dump();
  return json(branches).dump();
}

struct tree {
  std::string name;
  std::optional<derived_output> leaf;
  std::vector<tree> children;

  tree* child(const std::string& n) {
    for (auto& c : children)
      if (c.name == n)
        return &c;
    children.push_back(tree{n, std::nullopt, {}});
    return &children.back();
  }
};

json nullable(json type) {
  json u = json::array({"null"});
  if (type.is_array())
    for (auto& b : type)
      u.push_back(b);
  else
    u.push_back(std::move(type));
  return u;
}

json to_field(const tree& t, const std::string& record_prefix) {
  json f = {{"name", t.name}};
  if (t.leaf) {
    f["type"] = nullable(json::parse(t.leaf->avro_type));
    if (!t.leaf->doc.empty())
      f["doc"] = t.leaf->doc;
  } else {
    auto rec_name = record_prefix + "_" + t.name;
    json fields = json::array();
    for (const auto& c : t.children)
      fields.push_back(to_field(c, rec_name));
    f["type"] = nullable(json{{"type", "record"}, {"name", rec_name}, {"fields", fields}});
  }
  f["default"] = nullptr;
  return f;
}

} // namespace

std::string enriched_subject(const std::string& stream) {
  return stream + "-enriched-value";
}

result<std::vector<derived_output>> outputs_for_stream(const config::enrichment_spec& spec, const std::string& stream,
                                                       const schema_reader& read_schema) {
  std::map<std::string, json> table_schemas;
  auto table_schema = [&](const std::string& table) -> result<const json*> {
    const auto* t = spec.table(table);
    if (!t || t->schema_file.empty())
      return static_cast<const json*>(nullptr);
    if (!table_schemas.count(table)) {
      auto text = read_schema(t->schema_file);
      if (!text)
        return text.err();
      auto doc = json::parse(*text, nullptr, false);
      if (doc.is_discarded() || !doc.is_object())
        return schema_error("table " + table + ": " + t->schema_file + " is not an Avro record schema");
      table_schemas[table] = std::move(doc);
    }
    return &table_schemas[table];
  };

  std::vector<derived_output> out;
  for (const auto& f : spec.fields) {
    if (!f.applies_to(stream))
      continue;
    if (!f.type.empty() && !is_primitive_override(f.type))
      return schema_error("field " + f.name + ": type must be string, long, int, double, float or boolean");
    switch (f.kind) {
      case config::derivation_kind::device_class:
        out.push_back({f.name, json("string").dump(), "device class of " + f.input});
        break;
      case config::derivation_kind::expression:
        out.push_back({f.name, json(f.type.empty() ? "double" : f.type).dump(), "computed: " + f.expression});
        break;
      case config::derivation_kind::lookup:
      case config::derivation_kind::ip_lookup: {
        auto schema = table_schema(f.table);
        if (!schema)
          return schema.err();
        auto columns = f.columns.empty() ? std::vector<std::string>{f.column} : f.columns;
        auto paths = f.outputs();
        for (size_t i = 0; i < columns.size(); ++i) {
          std::string type = f.type.empty() ? json("string").dump() : json(f.type).dump();
          if (f.type.empty() && *schema) {
            if (auto declared = column_type(**schema, columns[i])) {
              auto branches = joinable(*declared, "column " + columns[i] + " of table " + f.table);
              if (!branches)
                return branches.err();
              type = type_text(*branches);
            }
          }
          out.push_back({paths[i], type, f.table + "." + columns[i] + " by " + f.input});
        }
        break;
      }
    }
  }
  return out;
}

result<std::string> derive_enriched_schema(std::string_view base_avsc, const std::vector<derived_output>& outputs) {
  auto schema = json::parse(base_avsc, nullptr, false);
  if (schema.is_discarded() || !schema.is_object() || schema.value("type", "") != "record" ||
      !schema.contains("fields") || !schema["fields"].is_array())
    return schema_error("the stream schema is not an Avro record");
  auto record_name = schema.value("name", "");
  if (auto dot = record_name.rfind('.'); dot != std::string::npos)
    record_name = record_name.substr(dot + 1);

  tree root;
  for (const auto& o : outputs) {
    tree* node = &root;
    size_t start = 0;
    while (true) {
      auto dot = o.path.find('.', start);
      auto seg = o.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      node = node->child(seg);
      if (dot == std::string::npos)
        break;
      if (node->leaf)
        return schema_error("derived field " + node->leaf->path + " is also a prefix of " + o.path);
      start = dot + 1;
    }
    if (node->leaf || !node->children.empty())
      return schema_error("derived field " + o.path + " is declared twice or overlaps another");
    node->leaf = o;
  }
  for (const auto& top : root.children)
    for (const auto& f : schema["fields"])
      if (f.value("name", "") == top.name)
        return schema_error("derived field '" + top.name + "' clashes with the field '" + top.name + "' of record " +
                            schema.value("name", "?"));
  for (const auto& top : root.children)
    schema["fields"].push_back(to_field(top, record_name));
  return schema.dump();
}

} // namespace freshet::enrich
