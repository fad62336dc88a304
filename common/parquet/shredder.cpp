#include "common/parquet/shredder.hpp"

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

/// Builds no strings unless something is wrong: this runs for every value the writer takes.
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

/// Emits one entry with definition level `def` to every leaf under `n` (a null or an empty list).
void emit_empty(const schema_node& n, int16_t rep, int16_t def, level_sink& sink) {
  for (size_t c = n.first_column; c < n.first_column + n.column_count; ++c)
    sink.add(c, rep, def, nullptr);
}

void shred(const schema_node& n, const value& v, int16_t rep, level_sink& sink) {
  if (v.is_null()) {
    emit_empty(n, rep, static_cast<int16_t>(n.def_level - 1), sink);
    return;
  }
  switch (n.kind) {
    case type_kind::struct_:
      for (size_t i = 0; i < n.children.size(); ++i)
        shred(n.children[i], v.items()[i], rep, sink);
      return;
    case type_kind::list: {
      const auto& items = v.items();
      if (items.empty()) {
        emit_empty(n, rep, n.def_level, sink);
        return;
      }
      for (size_t i = 0; i < items.size(); ++i)
        shred(n.children[0], items[i], i == 0 ? rep : n.item_rep, sink);
      return;
    }
    case type_kind::map: {
      if (v.map_size() == 0) {
        emit_empty(n, rep, n.def_level, sink);
        return;
      }
      for (size_t i = 0; i < v.map_size(); ++i) {
        const int16_t r = i == 0 ? rep : n.item_rep;
        shred(n.children[0], v.map_key(i), r, sink);
        shred(n.children[1], v.map_value(i), r, sink);
      }
      return;
    }
    default: sink.add(n.first_column, rep, n.def_level, &v);
  }
}

} // namespace

status validate_row(const schema& s, const row& r) {
  const auto& nodes = s.nodes();
  if (r.size() != nodes.size())
    return make_parquet_error(errc::schema_mismatch,
                              "row has " + std::to_string(r.size()) + " values for " + std::to_string(nodes.size()) + " fields");
  for (size_t i = 0; i < nodes.size(); ++i)
    if (auto st = validate(nodes[i], r[i]); !st.ok())
      return under("field " + nodes[i].name, st.err());
  return {};
}

void shred_row(const schema& s, const row& r, level_sink& sink) {
  const auto& nodes = s.nodes();
  for (size_t i = 0; i < nodes.size(); ++i)
    shred(nodes[i], r[i], 0, sink);
}

} // namespace freshet::parquet
