#include "common/parquet/shredder.hpp"

#include <iterator>

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

bool leaf_accepts(type_kind k, value::kind v) {
  switch (k) {
    case type_kind::boolean: return v == value::kind::boolean;
    case type_kind::int32:
    case type_kind::date: return v == value::kind::int32;
    case type_kind::int64:
    case type_kind::timestamp_us: return v == value::kind::int64;
    case type_kind::float32: return v == value::kind::float32;
    case type_kind::float64: return v == value::kind::float64;
    case type_kind::string:
    case type_kind::binary: return v == value::kind::bytes;
    default: return false;
  }
}

error mismatch(const std::string& why) { return make_parquet_error(errc::schema_mismatch, why); }

/// The message gets the field's path as the error travels up ("add.partitionValues.value: ...").
error under(const std::string& name, error e) {
  e.message = name + (e.message.starts_with("[") || e.message.starts_with(".") ? "" : ": ") + e.message;
  return e;
}

/// Whether `v` fits `n`: the check every value the writer takes goes through, so it builds no status
/// (an `error` with its string) per value; `validate` explains a misfit once one is found.
/// The value kind each leaf type takes, by type_kind: one compare instead of two switches.
constexpr value::kind leaf_kind[] = {value::kind::boolean, value::kind::int32,   value::kind::int64,
                                     value::kind::float32, value::kind::float64, value::kind::bytes,
                                     value::kind::bytes,   value::kind::int32,   value::kind::int64};
static_assert(std::size(leaf_kind) == static_cast<size_t>(type_kind::struct_));

bool leaf_fits(const schema_node& n, const value& v) {
  return v.is_null() ? n.nullable : v.type() == leaf_kind[static_cast<size_t>(n.kind)];
}

bool fits(const schema_node& n, const value& v) {
  if (is_leaf(n.kind))
    return leaf_fits(n, v);
  if (v.is_null())
    return n.nullable;
  switch (n.kind) {
    case type_kind::struct_: {
      const auto& members = v.items();
      if (v.type() != value::kind::struct_ || members.size() != n.children.size())
        return false;
      for (size_t i = 0; i < members.size(); ++i)
        if (!fits(n.children[i], members[i]))
          return false;
      return true;
    }
    case type_kind::list:
      if (v.type() != value::kind::list)
        return false;
      for (const auto& item : v.items())
        if (!fits(n.children[0], item))
          return false;
      return true;
    case type_kind::map:
      if (v.type() != value::kind::map)
        return false;
      for (size_t i = 0; i < v.map_size(); ++i)
        if (v.map_key(i).is_null() || !fits(n.children[0], v.map_key(i)) || !fits(n.children[1], v.map_value(i)))
          return false;
      return true;
    default: return leaf_accepts(n.kind, v.type());
  }
}

/// Says why `v` does not fit `n`, with the path to the offending member.
status validate(const schema_node& n, const value& v) {
  if (v.is_null()) {
    if (!n.nullable)
      return mismatch("null in a non-nullable field");
    return {};
  }
  switch (n.kind) {
    case type_kind::struct_:
      if (v.type() != value::kind::struct_ || v.items().size() != n.children.size())
        return mismatch("expected a struct of " + std::to_string(n.children.size()) + " members");
      for (size_t i = 0; i < n.children.size(); ++i)
        if (auto s = validate(n.children[i], v.items()[i]); !s.ok())
          return under("." + n.children[i].name, s.err());
      return {};
    case type_kind::list:
      if (v.type() != value::kind::list)
        return mismatch("expected a list");
      for (const auto& item : v.items())
        if (auto s = validate(n.children[0], item); !s.ok())
          return under("[]", s.err());
      return {};
    case type_kind::map:
      if (v.type() != value::kind::map)
        return mismatch("expected a map");
      for (size_t i = 0; i < v.map_size(); ++i) {
        if (v.map_key(i).is_null())
          return mismatch("null map key");
        if (auto s = validate(n.children[0], v.map_key(i)); !s.ok())
          return under(".key", s.err());
        if (auto s = validate(n.children[1], v.map_value(i)); !s.ok())
          return under(".value", s.err());
      }
      return {};
    default:
      if (!leaf_accepts(n.kind, v.type()))
        return mismatch(std::string{"a "} + to_string(n.kind) + " field does not take this value");
      return {};
  }
}

} // namespace

status validate_row(const schema& s, const row& r) {
  const auto& nodes = s.nodes();
  if (r.size() != nodes.size())
    return make_parquet_error(errc::schema_mismatch,
                              "row has " + std::to_string(r.size()) + " values for " + std::to_string(nodes.size()) + " fields");
  for (size_t i = 0; i < nodes.size(); ++i)
    if (is_leaf(nodes[i].kind) ? !leaf_fits(nodes[i], r[i]) : !fits(nodes[i], r[i]))
      if (auto st = validate(nodes[i], r[i]); !st.ok())
        return under("field " + nodes[i].name, st.err());
  return {};
}

} // namespace freshet::parquet
