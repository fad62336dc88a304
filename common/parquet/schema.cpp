#include "common/parquet/schema.hpp"

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

constexpr int max_nesting = 64;

physical_type physical_of(type_kind k) {
  switch (k) {
    case type_kind::boolean: return physical_type::boolean;
    case type_kind::int32:
    case type_kind::date: return physical_type::int32;
    case type_kind::int64:
    case type_kind::timestamp_us: return physical_type::int64;
    case type_kind::float32: return physical_type::float_;
    case type_kind::float64: return physical_type::double_;
    default: return physical_type::byte_array;
  }
}

field to_field(const schema_node& n) {
  field f{n.name, n.kind, n.nullable, {}};
  for (const auto& c : n.children)
    f.children.push_back(to_field(c));
  return f;
}

// ---- from fields (writer) -----------------------------------------------------------------------

struct field_builder {
  std::vector<column_descriptor>& columns;

  result<schema_node> build(const field& f, int16_t parent_def, int16_t parent_rep, std::vector<std::string> path, int depth) {
    if (depth > max_nesting)
      return make_parquet_error(errc::invalid_argument, "schema nests deeper than 64 levels");
    if (f.name.empty())
      return make_parquet_error(errc::invalid_argument, "a field has an empty name");
    schema_node n;
    n.name = f.name;
    n.kind = f.kind;
    n.nullable = f.nullable;
    n.def_level = static_cast<int16_t>(parent_def + (f.nullable ? 1 : 0));
    n.rep_level = parent_rep;
    n.first_column = columns.size();
    path.push_back(f.name);
    auto arity = [&](size_t want, const char* what) -> status {
      if (f.children.size() != want)
        return make_parquet_error(errc::invalid_argument, "field '" + f.name + "': " + what);
      return {};
    };
    switch (f.kind) {
      case type_kind::struct_: {
        if (f.children.empty())
          return make_parquet_error(errc::invalid_argument, "struct '" + f.name + "' has no members");
        for (const auto& c : f.children) {
          auto child = build(c, n.def_level, parent_rep, path, depth + 1);
          FRESHET_TRY(child);
          n.children.push_back(std::move(*child));
        }
        break;
      }
      case type_kind::list:
      case type_kind::map: {
        const bool is_map = f.kind == type_kind::map;
        FRESHET_TRY(arity(is_map ? 2 : 1, is_map ? "a map needs a key and a value" : "a list needs one element"));
        if (is_map && f.children[0].nullable)
          return make_parquet_error(errc::invalid_argument, "map '" + f.name + "': keys must not be nullable");
        n.item_def = static_cast<int16_t>(n.def_level + 1);
        n.item_rep = static_cast<int16_t>(parent_rep + 1);
        path.push_back(is_map ? "key_value" : "list");
        for (const auto& c : f.children) {
          auto child = build(c, n.item_def, n.item_rep, path, depth + 1);
          FRESHET_TRY(child);
          n.children.push_back(std::move(*child));
        }
        break;
      }
      default: {
        FRESHET_TRY(arity(0, "a primitive field has no children"));
        column_descriptor d;
        d.path = std::move(path);
        d.physical = physical_of(f.kind);
        d.kind = f.kind;
        d.max_def = n.def_level;
        d.max_rep = parent_rep;
        columns.push_back(std::move(d));
      }
    }
    n.column_count = columns.size() - n.first_column;
    return n;
  }
};

void append_elements(const schema_node& n, std::vector<schema_element>& out) {
  schema_element e;
  e.name = n.name;
  e.repetition_type = n.nullable ? repetition::optional : repetition::required;
  logical_type lt;
  switch (n.kind) {
    case type_kind::boolean: e.type = physical_type::boolean; break;
    case type_kind::int32: e.type = physical_type::int32; break;
    case type_kind::int64: e.type = physical_type::int64; break;
    case type_kind::float32: e.type = physical_type::float_; break;
    case type_kind::float64: e.type = physical_type::double_; break;
    case type_kind::binary: e.type = physical_type::byte_array; break;
    case type_kind::string:
      e.type = physical_type::byte_array;
      e.converted = converted_type::utf8;
      lt.k = logical_type::kind::string;
      e.logical = lt;
      break;
    case type_kind::date:
      e.type = physical_type::int32;
      e.converted = converted_type::date;
      lt.k = logical_type::kind::date;
      e.logical = lt;
      break;
    case type_kind::timestamp_us:
      e.type = physical_type::int64;
      e.converted = converted_type::timestamp_micros;
      lt.k = logical_type::kind::timestamp;
      lt.is_adjusted_to_utc = true;
      lt.unit = time_unit::micros;
      e.logical = lt;
      break;
    case type_kind::struct_:
      e.num_children = static_cast<int32_t>(n.children.size());
      out.push_back(std::move(e));
      for (const auto& c : n.children)
        append_elements(c, out);
      return;
    case type_kind::list:
    case type_kind::map: {
      const bool is_map = n.kind == type_kind::map;
      e.num_children = 1;
      e.converted = is_map ? converted_type::map : converted_type::list;
      lt.k = is_map ? logical_type::kind::map : logical_type::kind::list;
      e.logical = lt;
      out.push_back(std::move(e));
      schema_element repeated;
      repeated.name = is_map ? "key_value" : "list";
      repeated.repetition_type = repetition::repeated;
      repeated.num_children = static_cast<int32_t>(n.children.size());
      out.push_back(std::move(repeated));
      for (const auto& c : n.children)
        append_elements(c, out);
      return;
    }
  }
  out.push_back(std::move(e));
}

// ---- from elements (reader) ---------------------------------------------------------------------

type_kind leaf_kind(const schema_element& e) {
  const auto lk = e.logical ? e.logical->k : logical_type::kind::other;
  switch (*e.type) {
    case physical_type::boolean: return type_kind::boolean;
    case physical_type::int32:
      return lk == logical_type::kind::date || e.converted == converted_type::date ? type_kind::date : type_kind::int32;
    case physical_type::int64: {
      const bool micros_ts = (lk == logical_type::kind::timestamp && e.logical->unit == time_unit::micros) ||
                             (!e.logical && e.converted == converted_type::timestamp_micros);
      return micros_ts ? type_kind::timestamp_us : type_kind::int64;
    }
    case physical_type::float_: return type_kind::float32;
    case physical_type::double_: return type_kind::float64;
    case physical_type::byte_array: {
      const bool text = lk == logical_type::kind::string || lk == logical_type::kind::enum_ || lk == logical_type::kind::json ||
                        e.converted == converted_type::utf8 || e.converted == converted_type::enum_ ||
                        e.converted == converted_type::json;
      return text ? type_kind::string : type_kind::binary;
    }
    default: return type_kind::binary;
  }
}

struct element_reader {
  const std::vector<schema_element>& elements;
  int max_depth;
  std::vector<std::vector<size_t>> children;
  std::vector<column_descriptor> columns;

  status index(size_t& pos, int depth) {
    if (depth > max_depth)
      return make_parquet_error(errc::limit_exceeded, "schema nests too deeply");
    if (pos >= elements.size())
      return make_parquet_error(errc::malformed, "schema ends inside a group");
    const size_t me = pos++;
    const auto& e = elements[me];
    if (!e.num_children || *e.num_children <= 0)
      return {};
    const auto n = static_cast<size_t>(*e.num_children);
    if (n > elements.size() - pos)
      return make_parquet_error(errc::malformed, "schema element '" + e.name + "' claims more children than exist");
    for (size_t k = 0; k < n; ++k) {
      children[me].push_back(pos);
      FRESHET_TRY(index(pos, depth + 1));
    }
    return {};
  }

  bool is_group(size_t i) const { return !children[i].empty(); }
  bool annotated(size_t i, logical_type::kind lk, converted_type ct) const {
    const auto& e = elements[i];
    return (e.logical && e.logical->k == lk) || e.converted == ct;
  }

  /// `as_required` treats a repeated element as the single (required) item of its enclosing list.
  result<schema_node> convert(size_t i, int16_t parent_def, int16_t parent_rep, std::vector<std::string> path, bool as_required, int depth) {
    if (depth > 3 * max_depth)
      return make_parquet_error(errc::limit_exceeded, "schema nests too deeply");
    const auto& e = elements[i];
    const auto rep = e.repetition_type.value_or(repetition::required);
    if (rep != repetition::required && rep != repetition::optional && rep != repetition::repeated)
      return make_parquet_error(errc::unsupported, "schema element '" + e.name + "' has an unknown repetition");
    schema_node n;
    n.name = e.name;
    n.first_column = columns.size();
    if (rep == repetition::repeated && !as_required) {
      // A bare repeated field: a required list of required items.
      n.kind = type_kind::list;
      n.nullable = false;
      n.def_level = parent_def;
      n.rep_level = parent_rep;
      n.item_def = static_cast<int16_t>(parent_def + 1);
      n.item_rep = static_cast<int16_t>(parent_rep + 1);
      auto item = convert(i, n.item_def, n.item_rep, path, true, depth + 1);
      FRESHET_TRY(item);
      n.children.push_back(std::move(*item));
      n.column_count = columns.size() - n.first_column;
      return n;
    }
    n.nullable = rep == repetition::optional;
    n.def_level = static_cast<int16_t>(parent_def + (n.nullable ? 1 : 0));
    n.rep_level = parent_rep;
    path.push_back(e.name);
    if (!is_group(i)) {
      if (!e.type)
        return make_parquet_error(errc::malformed, "schema leaf '" + e.name + "' has no type");
      if (*e.type < physical_type::boolean || *e.type > physical_type::fixed_len_byte_array)
        return make_parquet_error(errc::unsupported, "schema leaf '" + e.name + "' has an unknown type");
      column_descriptor d;
      d.path = std::move(path);
      d.physical = *e.type;
      d.kind = leaf_kind(e);
      d.type_length = e.type_length.value_or(0);
      if (d.physical == physical_type::fixed_len_byte_array && (d.type_length <= 0 || d.type_length > (1 << 20)))
        return make_parquet_error(errc::malformed, "fixed-length column '" + e.name + "' has a bad length");
      if (d.physical == physical_type::int96)
        d.type_length = 12;
      d.max_def = n.def_level;
      d.max_rep = parent_rep;
      n.kind = d.kind;
      columns.push_back(std::move(d));
      n.column_count = 1;
      return n;
    }
    const bool is_list = annotated(i, logical_type::kind::list, converted_type::list);
    const bool is_map = annotated(i, logical_type::kind::map, converted_type::map) || e.converted == converted_type::map_key_value;
    if (is_list || is_map) {
      const size_t r = children[i][0];
      if (children[i].size() != 1 || elements[r].repetition_type != repetition::repeated)
        return make_parquet_error(errc::unsupported, "list or map '" + e.name + "' is not a group around one repeated field");
      n.kind = is_map ? type_kind::map : type_kind::list;
      n.item_def = static_cast<int16_t>(n.def_level + 1);
      n.item_rep = static_cast<int16_t>(parent_rep + 1);
      if (is_map) {
        if (children[r].size() != 2)
          return make_parquet_error(errc::unsupported, "map '" + e.name + "' has no key and value");
        path.push_back(elements[r].name);
        for (size_t c : children[r]) {
          auto child = convert(c, n.item_def, n.item_rep, path, false, depth + 1);
          FRESHET_TRY(child);
          n.children.push_back(std::move(*child));
        }
      } else {
        const auto& re = elements[r];
        const bool repeated_is_item = !is_group(r) || children[r].size() > 1 || re.name == "array" || re.name == e.name + "_tuple";
        result<schema_node> item = repeated_is_item
                                       ? convert(r, n.item_def, n.item_rep, path, true, depth + 1)
                                       : convert(children[r][0], n.item_def, n.item_rep, [&] {
                                           auto p = path;
                                           p.push_back(re.name);
                                           return p;
                                         }(), false, depth + 1);
        FRESHET_TRY(item);
        n.children.push_back(std::move(*item));
      }
    } else {
      n.kind = type_kind::struct_;
      for (size_t c : children[i]) {
        auto child = convert(c, n.def_level, parent_rep, path, false, depth + 1);
        FRESHET_TRY(child);
        n.children.push_back(std::move(*child));
      }
    }
    n.column_count = columns.size() - n.first_column;
    return n;
  }
};

} // namespace

const char* to_string(type_kind k) {
  switch (k) {
    case type_kind::boolean: return "boolean";
    case type_kind::int32: return "int32";
    case type_kind::int64: return "int64";
    case type_kind::float32: return "float32";
    case type_kind::float64: return "float64";
    case type_kind::string: return "string";
    case type_kind::binary: return "binary";
    case type_kind::date: return "date";
    case type_kind::timestamp_us: return "timestamp_us";
    case type_kind::struct_: return "struct";
    case type_kind::list: return "list";
    case type_kind::map: return "map";
  }
  return "unknown";
}

field make_field(std::string name, type_kind kind, bool nullable) { return field{std::move(name), kind, nullable, {}}; }

field list_field(std::string name, field element, bool nullable) {
  element.name = "element";
  return field{std::move(name), type_kind::list, nullable, {std::move(element)}};
}

field map_field(std::string name, field key, field value, bool nullable) {
  key.name = "key";
  key.nullable = false;
  value.name = "value";
  return field{std::move(name), type_kind::map, nullable, {std::move(key), std::move(value)}};
}

field struct_field(std::string name, std::vector<field> members, bool nullable) {
  return field{std::move(name), type_kind::struct_, nullable, std::move(members)};
}

std::string column_descriptor::dotted_path() const {
  std::string s;
  for (const auto& p : path)
    s += (s.empty() ? "" : ".") + p;
  return s;
}

result<schema> schema::make(std::vector<field> fields) {
  schema s;
  field_builder b{s.columns_};
  for (const auto& f : fields) {
    auto n = b.build(f, 0, 0, {}, 0);
    FRESHET_TRY(n);
    s.nodes_.push_back(std::move(*n));
  }
  s.fields_ = std::move(fields);
  return s;
}

result<schema> schema::from_elements(const std::vector<schema_element>& elements, int max_depth) {
  if (elements.empty())
    return make_parquet_error(errc::malformed, "empty schema");
  element_reader r{elements, max_depth, std::vector<std::vector<size_t>>(elements.size()), {}};
  size_t pos = 0;
  FRESHET_TRY(r.index(pos, 0));
  if (pos != elements.size())
    return make_parquet_error(errc::malformed, "schema has elements outside its root");
  schema s;
  for (size_t c : r.children[0]) {
    auto n = r.convert(c, 0, 0, {}, false, 1);
    FRESHET_TRY(n);
    s.nodes_.push_back(std::move(*n));
  }
  s.columns_ = std::move(r.columns);
  for (const auto& n : s.nodes_)
    s.fields_.push_back(to_field(n));
  return s;
}

std::vector<schema_element> schema::to_elements() const {
  std::vector<schema_element> out;
  schema_element root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(nodes_.size());
  out.push_back(std::move(root));
  for (const auto& n : nodes_)
    append_elements(n, out);
  return out;
}

std::optional<size_t> schema::field_index(std::string_view name) const {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name)
      return i;
  return std::nullopt;
}

std::optional<size_t> schema::column_index(std::string_view dotted_path) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].dotted_path() == dotted_path)
      return i;
  return std::nullopt;
}

} // namespace freshet::parquet
