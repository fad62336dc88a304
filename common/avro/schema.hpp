#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::avro {

/// The Avro type of a schema node.
enum class type : uint8_t { null, boolean, int_, long_, float_, double_, bytes, string, record, enum_, array, map, union_, fixed };

/// Avro's name of a type: "int", "record", ...
[[nodiscard]] const char* to_string(type t);

/// A logical type recognised on a valid underlying type. Unknown or invalid logical types are `none`
/// (the spec says to use the underlying type) but their name stays in `node::logical_name`.
enum class logical : uint8_t {
  none, decimal, uuid, date, time_millis, time_micros, timestamp_millis, timestamp_micros,
  local_timestamp_millis, local_timestamp_micros, duration
};

struct node;

enum class sort_order : uint8_t { ascending, descending, ignore };

/// A record field. `default_binary` is the default already encoded as Avro binary with `type`
/// (empty when there is no default): the encoder copies it for absent fields, the resolver decodes it
/// for reader fields the writer lacks.
struct field {
  std::string name;
  std::vector<std::string> aliases;
  const node* type = nullptr;
  bool has_default = false;
  std::string default_json;   ///< compact JSON text of the default as written
  std::string default_binary; ///< the default as Avro binary
  std::string doc;
  sort_order order = sort_order::ascending;
  std::size_t position = 0;
};

/// One node of a parsed schema graph. Nodes are owned by their `schema`; references to a named type
/// point to its one definition node, so recursive schemas are cycles. Immutable after parsing.
struct node {
  avro::type kind = avro::type::null;
  avro::logical logical = avro::logical::none;
  std::string logical_name; ///< "logicalType" as written, even when not recognised
  int precision = 0;        ///< decimal
  int scale = 0;            ///< decimal

  // Named types (record, enum, fixed).
  std::string fullname;
  std::string name;       ///< unqualified
  std::string namespace_; ///< empty = null namespace
  std::vector<std::string> aliases; ///< full names
  std::string doc;

  std::vector<field> fields;           ///< record
  std::vector<std::string> symbols;    ///< enum
  int enum_default = -1;               ///< enum: index of "default", -1 if none
  const node* items = nullptr;         ///< array
  const node* values = nullptr;        ///< map
  std::vector<const node*> branches;   ///< union
  int null_branch = -1;                ///< union: index of its null branch, -1 if none
  std::size_t size = 0;                ///< fixed

  /// Smallest number of bytes a value of this type takes in Avro binary (bounds container counts).
  std::size_t min_size = 0;

  [[nodiscard]] bool is_named() const {
    return kind == type::record || kind == type::enum_ || kind == type::fixed;
  }
  /// Index of the field named `n`, or -1.
  [[nodiscard]] int field_index(std::string_view n) const;
  /// Index of the symbol `s`, or -1.
  [[nodiscard]] int symbol_index(std::string_view s) const;
  /// The name a union branch is selected by in Avro JSON: a full name or the type's name.
  [[nodiscard]] std::string_view branch_name() const;
};

namespace detail {
struct schema_store;
}

/// A parsed, validated Avro schema. Cheap to copy (shared, immutable); safe to share across threads.
class schema {
 public:
  /// Parses and validates Avro JSON schema text (Avro 1.11 rules). Errors carry an `errc::schema_*`
  /// reason and the JSON path of the offending element.
  [[nodiscard]] static result<schema> parse(std::string_view json_text);

  [[nodiscard]] const node& root() const;
  /// Parsing Canonical Form (spec: [PRIMITIVES] [FULLNAMES] [STRIP] [ORDER] [STRINGS] [INTEGERS] [WHITESPACE]).
  [[nodiscard]] const std::string& canonical_form() const;
  /// CRC-64-AVRO (Rabin) fingerprint of the canonical form: the schema's identity.
  [[nodiscard]] uint64_t fingerprint() const;
  /// The named type with this full name, or nullptr.
  [[nodiscard]] const node* find(std::string_view fullname) const;
  /// The text this schema was parsed from.
  [[nodiscard]] const std::string& text() const;

 private:
  std::shared_ptr<const detail::schema_store> store_;
};

/// CRC-64-AVRO of arbitrary bytes (the spec's Rabin fingerprint).
[[nodiscard]] uint64_t crc64_avro(std::string_view bytes);

} // namespace freshet::avro
