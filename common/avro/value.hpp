#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/schema.hpp"

namespace freshet::avro {

/// A decoded Avro datum, shaped by the reader schema: what debugging and DLQ tools inspect.
/// One struct for every type keeps it simple to build and compare; hot paths never build these.
struct value {
  avro::type kind = avro::type::null;
  const node* type_node = nullptr; ///< reader node this value conforms to (set by the decoder)
  bool boolean = false;
  int64_t integer = 0;           ///< int, long; enum index; union branch index
  double real = 0;               ///< float, double
  std::string bytes;             ///< string, bytes, fixed contents; enum symbol
  std::vector<value> items;      ///< array items, map values, record fields, union: the one branch value
  std::vector<std::string> keys; ///< map keys; record field names

  /// The record field named `name`, or nullptr.
  [[nodiscard]] const value* field(std::string_view name) const;
  /// The union's branch value (this value itself when not a union).
  [[nodiscard]] const value& unwrapped() const { return kind == avro::type::union_ && !items.empty() ? items[0] : *this; }

  /// Deep equality of content (ignores `type_node`). float/double compare bitwise-equal or both NaN.
  friend bool operator==(const value& a, const value& b);
};

/// How `to_json` writes unions.
enum class union_style {
  wrapped, ///< Avro JSON: {"string": "x"}, null as null (reads back through `json_encoder`)
  bare,    ///< just the branch value: friendlier for people, ambiguous for machines
};

/// Avro JSON text of `v` (bytes/fixed as \u00XX strings, NaN/Infinity as strings).
[[nodiscard]] std::string to_json(const value& v, union_style style = union_style::wrapped);

} // namespace freshet::avro
