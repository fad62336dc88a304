#pragma once

#include <cstddef>
#include <cstdint>

#include "common/base/result.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

/// Dremel shredding: a row of nested values becomes, per leaf column, a sequence of (repetition
/// level, definition level, value-or-null) triples.
namespace freshet::parquet {

/// Receives the triples; `v` is null when `def` is below the column's maximum. `shred_row` takes any
/// type with this `add` (the writer passes its column writers without a virtual call per value);
/// this base is for sinks that want to be passed around.
class level_sink {
 public:
  virtual ~level_sink() = default;
  virtual void add(size_t column, int16_t rep, int16_t def, const value* v) = 0;
};

/// Checks that `r` fits `s` (arity, kinds, nullability); `errc::schema_mismatch` names the field.
/// The writer validates before shredding so that a bad row leaves no half-written levels behind.
[[nodiscard]] status validate_row(const schema& s, const row& r);

namespace detail {

/// Emits one entry with definition level `def` to every leaf under `n` (a null or an empty list).
template <class Sink>
void emit_empty(const schema_node& n, int16_t rep, int16_t def, Sink& sink) {
  for (size_t c = n.first_column; c < n.first_column + n.column_count; ++c)
    sink.add(c, rep, def, nullptr);
}

template <class Sink>
void shred(const schema_node& n, const value& v, int16_t rep, Sink& sink) {
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

} // namespace detail

/// Shreds a row that `validate_row` accepted.
template <class Sink>
void shred_row(const schema& s, const row& r, Sink& sink) {
  const auto& nodes = s.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const schema_node& n = nodes[i];
    if (is_leaf(n.kind)) // most fields: one triple, without the recursion
      sink.add(n.first_column, 0, r[i].is_null() ? static_cast<int16_t>(n.def_level - 1) : n.def_level,
               r[i].is_null() ? nullptr : &r[i]);
    else
      detail::shred(n, r[i], 0, sink);
  }
}

} // namespace freshet::parquet
