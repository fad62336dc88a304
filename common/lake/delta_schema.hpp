#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/schema.hpp"

/// A table schema in Delta's model (PROTOCOL.md "Schema Serialization Format", a subset of Spark SQL's
/// JSON schema): its JSON text for `metaData.schemaString`, and its Parquet layout for data files
/// ("Delta Data Type to Parquet Type Mappings").
namespace freshet::lake {

struct struct_field;

/// A column type: a primitive, or a struct / array / map that nests further.
struct data_type {
  enum class kind : uint8_t {
    string, long_, integer, short_, byte, float_, double_, boolean, binary, date, timestamp, timestamp_ntz, decimal,
    struct_, array, map
  };
  kind k = kind::string;
  int precision = 0; ///< decimal
  int scale = 0;     ///< decimal
  std::vector<struct_field> fields; ///< struct
  std::vector<data_type> children;  ///< array: {element}; map: {key, value}
  bool contains_null = true;        ///< array elements / map values may be null
  /// Not part of the Delta schema: microseconds per unit of the values a writer is handed for a
  /// timestamp column (1000: events carry epoch milliseconds, as Avro timestamp-millis does).
  int64_t source_unit_us = 1000;

  [[nodiscard]] bool is_primitive() const { return k < kind::struct_; }
  friend bool operator==(const data_type&, const data_type&);
};

/// A (possibly nested) column.
struct struct_field {
  std::string name;
  data_type type;
  bool nullable = true;
  std::string metadata = "{}"; ///< the column's metadata object, as JSON text
  /// Not part of the Delta schema: the value a writer uses when a non-nullable column is absent from
  /// an event (the Avro field default, as JSON text). Empty = none.
  std::string default_json;
  friend bool operator==(const struct_field& a, const struct_field& b) {
    return a.name == b.name && a.type == b.type && a.nullable == b.nullable && a.metadata == b.metadata;
  }
};

inline bool operator==(const data_type& a, const data_type& b) {
  return a.k == b.k && a.precision == b.precision && a.scale == b.scale && a.fields == b.fields &&
         a.children == b.children && a.contains_null == b.contains_null;
}

/// The top-level struct of a table.
using table_schema = std::vector<struct_field>;

[[nodiscard]] data_type primitive(data_type::kind k);
[[nodiscard]] data_type struct_of(std::vector<struct_field> fields);
[[nodiscard]] data_type array_of(data_type element, bool contains_null = true);
[[nodiscard]] data_type map_of(data_type key, data_type value, bool value_contains_null = true);
[[nodiscard]] struct_field column(std::string name, data_type type, bool nullable = true);

/// The protocol's name of a primitive ("long", "decimal(10,2)"); "struct"/"array"/"map" otherwise.
[[nodiscard]] std::string type_name(const data_type& t);

/// `metaData.schemaString`: `{"type":"struct","fields":[...]}` on one line.
[[nodiscard]] std::string to_schema_string(const table_schema& s);
/// Parses a schemaString; unknown primitive names are `errc::unsupported`, bad JSON `malformed_log`.
[[nodiscard]] result<table_schema> parse_schema_string(std::string_view text);

/// Parquet fields of the data files for these columns. Types our Parquet writer cannot store
/// (decimal, byte, short, timestamp_ntz) are `errc::unsupported`.
[[nodiscard]] result<std::vector<parquet::field>> to_parquet_fields(const table_schema& columns);

/// The columns of `s` without the named (partition) columns, which live in the log, not the files.
[[nodiscard]] table_schema without_columns(const table_schema& s, const std::vector<std::string>& names);

/// The top-level column named `name`, or nullptr.
[[nodiscard]] const struct_field* find_column(const table_schema& s, std::string_view name);

} // namespace freshet::lake
