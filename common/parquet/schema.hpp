#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/metadata.hpp"

namespace freshet::parquet {

/// What a field holds. Leaves map to one Parquet column each: boolean → BOOLEAN, int32 → INT32,
/// int64 → INT64, float32 → FLOAT, float64 → DOUBLE, string → BYTE_ARRAY (STRING), binary → BYTE_ARRAY,
/// date → INT32 (DATE), timestamp_us → INT64 (TIMESTAMP(isAdjustedToUTC=true, MICROS)). Lists and maps
/// use the standard three-level layout (`list`/`element`, `key_value`/`key`/`value`).
enum class type_kind : uint8_t { boolean, int32, int64, float32, float64, string, binary, date, timestamp_us, struct_, list, map };

[[nodiscard]] const char* to_string(type_kind k);
[[nodiscard]] inline bool is_leaf(type_kind k) { return k < type_kind::struct_; }

/// A field of a logical schema, as users write it.
struct field {
  std::string name;
  type_kind kind = type_kind::int64;
  bool nullable = true;
  std::vector<field> children; ///< struct: members; list: {element}; map: {key, value}
};

[[nodiscard]] field make_field(std::string name, type_kind kind, bool nullable = true);
[[nodiscard]] field list_field(std::string name, field element, bool nullable = true);
/// Keys are made non-nullable (Parquet requires it).
[[nodiscard]] field map_field(std::string name, field key, field value, bool nullable = true);
[[nodiscard]] field struct_field(std::string name, std::vector<field> members, bool nullable = true);

/// One leaf column: its path in the file and its Dremel levels.
struct column_descriptor {
  std::vector<std::string> path;
  physical_type physical = physical_type::int64;
  type_kind kind = type_kind::int64;
  int32_t type_length = 0; ///< FIXED_LEN_BYTE_ARRAY only
  int16_t max_def = 0;
  int16_t max_rep = 0;

  [[nodiscard]] std::string dotted_path() const;
};

/// A field annotated with the levels the writer emits and the reader expects. A node holds a value
/// when the definition level reaches `def_level`; a list or map has items when it reaches `item_def`,
/// and a repetition level equal to `item_rep` starts its next item.
struct schema_node {
  std::string name;
  type_kind kind = type_kind::int64;
  bool nullable = true;
  int16_t def_level = 0;
  int16_t rep_level = 0;
  int16_t item_def = 0;
  int16_t item_rep = 0;
  std::vector<schema_node> children;
  size_t first_column = 0; ///< leaf columns under this node are [first_column, first_column + column_count)
  size_t column_count = 0;
};

/// A validated schema: the fields, their level-annotated nodes and the leaf columns in file order.
class schema {
 public:
  /// Validates names, arity of lists/maps/structs and nesting depth (`errc::invalid_argument`).
  [[nodiscard]] static result<schema> make(std::vector<field> fields);
  /// Interprets a file's flattened schema, including the legacy two-level list layouts of
  /// LogicalTypes.md's backward-compatibility rules. Errors are `malformed` or `unsupported`.
  [[nodiscard]] static result<schema> from_elements(const std::vector<schema_element>& elements, int max_depth = 64);

  /// The flattened, depth-first schema a writer puts in the footer.
  [[nodiscard]] std::vector<schema_element> to_elements() const;

  [[nodiscard]] const std::vector<field>& fields() const { return fields_; }
  [[nodiscard]] const std::vector<schema_node>& nodes() const { return nodes_; }
  [[nodiscard]] const std::vector<column_descriptor>& columns() const { return columns_; }
  [[nodiscard]] std::optional<size_t> field_index(std::string_view name) const;
  /// The leaf column with this dotted path ("add.partitionValues.key_value.key").
  [[nodiscard]] std::optional<size_t> column_index(std::string_view dotted_path) const;

 private:
  std::vector<field> fields_;
  std::vector<schema_node> nodes_;
  std::vector<column_descriptor> columns_;
};

} // namespace freshet::parquet
