#include "common/lake/avro_mapping.hpp"

#include <optional>
#include <set>

#include "common/lake/errc.hpp"

namespace freshet::lake {

namespace {

using kind = data_type::kind;

struct mapped {
  data_type type;
  bool nullable = false;
};

/// nullopt: a type with no values but null (left out).
result<std::optional<mapped>> map_node(const avro::node& n, std::set<const avro::node*>& open_records,
                                       const std::string& where);

result<std::optional<mapped>> map_union(const avro::node& n, std::set<const avro::node*>& open_records,
                                        const std::string& where) {
  std::vector<const avro::node*> others;
  for (const auto* b : n.branches)
    if (b->kind != avro::type::null)
      others.push_back(b);
  bool has_null = n.null_branch >= 0;
  if (others.empty())
    return std::optional<mapped>{};
  if (others.size() > 1)
    return std::optional<mapped>{mapped{primitive(kind::string), has_null}};
  auto inner = map_node(*others.front(), open_records, where);
  if (!inner.ok() || !*inner)
    return inner;
  (*inner)->nullable = (*inner)->nullable || has_null;
  return inner;
}

result<std::optional<mapped>> map_node(const avro::node& n, std::set<const avro::node*>& open_records,
                                       const std::string& where) {
  auto leaf = [](kind k, int64_t unit_us = 1000) {
    mapped m{primitive(k), false};
    m.type.source_unit_us = unit_us;
    return std::optional<mapped>{m};
  };
  switch (n.logical) {
    case avro::logical::date: return leaf(kind::date);
    case avro::logical::timestamp_millis:
    case avro::logical::local_timestamp_millis: return leaf(kind::timestamp, 1000);
    case avro::logical::timestamp_micros:
    case avro::logical::local_timestamp_micros: return leaf(kind::timestamp, 1);
    case avro::logical::time_millis: return leaf(kind::integer);
    case avro::logical::time_micros: return leaf(kind::long_);
    case avro::logical::decimal: return leaf(kind::double_);
    case avro::logical::uuid: return leaf(kind::string);
    default: break;
  }
  switch (n.kind) {
    case avro::type::null: return std::optional<mapped>{};
    case avro::type::boolean: return leaf(kind::boolean);
    case avro::type::int_: return leaf(kind::integer);
    case avro::type::long_: return leaf(kind::long_);
    case avro::type::float_: return leaf(kind::float_);
    case avro::type::double_: return leaf(kind::double_);
    case avro::type::bytes:
    case avro::type::fixed: return leaf(kind::binary);
    case avro::type::string:
    case avro::type::enum_: return leaf(kind::string);
    case avro::type::union_: return map_union(n, open_records, where);
    case avro::type::array: {
      auto item = map_node(*n.items, open_records, where + "[]");
      if (!item.ok())
        return item.err();
      if (!*item)
        return make_lake_error(errc::unsupported, where + ": an array of nulls has no Delta type");
      return std::optional<mapped>{mapped{array_of((*item)->type, (*item)->nullable), false}};
    }
    case avro::type::map: {
      auto value = map_node(*n.values, open_records, where + "{}");
      if (!value.ok())
        return value.err();
      if (!*value)
        return make_lake_error(errc::unsupported, where + ": a map of nulls has no Delta type");
      return std::optional<mapped>{mapped{map_of(primitive(kind::string), (*value)->type, (*value)->nullable), false}};
    }
    case avro::type::record: {
      if (open_records.contains(&n))
        return make_lake_error(errc::unsupported, where + ": recursive record " + n.fullname + " has no Delta type");
      open_records.insert(&n);
      std::vector<struct_field> fields;
      for (const auto& f : n.fields) {
        auto m = map_node(*f.type, open_records, where + "." + f.name);
        if (!m.ok())
          return m.err();
        if (!*m)
          continue;
        auto c = column(f.name, std::move((*m)->type), (*m)->nullable);
        if (f.has_default)
          c.default_json = f.default_json;
        fields.push_back(std::move(c));
      }
      open_records.erase(&n);
      return std::optional<mapped>{mapped{struct_of(std::move(fields)), false}};
    }
  }
  return make_lake_error(errc::unsupported, where + ": unknown Avro type");
}

} // namespace

result<table_schema> table_schema_from_avro(const avro::schema& s) {
  const auto& root = s.root();
  if (root.kind != avro::type::record)
    return make_lake_error(errc::invalid_argument, "a table schema must come from an Avro record");
  std::set<const avro::node*> open;
  auto m = map_node(root, open, "$");
  if (!m.ok())
    return m.err();
  return std::move((*m)->type.fields);
}

result<table_schema> table_schema_from_avsc(std::string_view avsc) {
  auto s = avro::schema::parse(avsc);
  if (!s.ok())
    return s.err();
  return table_schema_from_avro(*s);
}

} // namespace freshet::lake
