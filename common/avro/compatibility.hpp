#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/schema.hpp"

namespace freshet::avro {

/// Confluent Schema Registry compatibility levels.
enum class compat_level { none, backward, backward_transitive, forward, forward_transitive, full, full_transitive };

/// "BACKWARD", "FULL_TRANSITIVE", ...
[[nodiscard]] const char* to_string(compat_level l);
/// Parses a level name (case-insensitive); nullopt when unknown.
[[nodiscard]] std::optional<compat_level> parse_compat_level(std::string_view name);

/// Kinds of incompatibility, named as Confluent's registry (and Avro's SchemaCompatibility) name them.
enum class incompatibility_type {
  name_mismatch,
  fixed_size_mismatch,
  missing_enum_symbols,
  reader_field_missing_default_value,
  type_mismatch,
  missing_union_branch,
};

/// "NAME_MISMATCH", "TYPE_MISMATCH", ...
[[nodiscard]] const char* to_string(incompatibility_type t);

/// One reason a reader cannot read a writer's data.
struct incompatibility {
  incompatibility_type type;
  std::string path;    ///< JSON-pointer-like location in the reader schema: "/fields/2/type/symbols"
  std::string message; ///< what is wrong, for people
};

/// Every reason `reader` cannot read data written with `writer` (Avro schema resolution rules:
/// promotions, fields by name or reader alias, reader defaults, enum defaults, unions either side,
/// named types by unqualified name or reader alias). Empty = compatible.
[[nodiscard]] std::vector<incompatibility> check_can_read(const schema& reader, const schema& writer);

/// An incompatibility found against one registered version.
struct compat_issue {
  std::size_t version_index; ///< index into `existing`
  bool candidate_is_reader;  ///< true: the new schema failed to read the old data (backward direction)
  incompatibility issue;
  /// One line for a 409 answer: "{type} at {path} (new schema reading version N): message".
  [[nodiscard]] std::string describe() const;
};

struct compat_report {
  bool compatible = true;
  std::vector<compat_issue> issues;
};

/// Checks `candidate` against the registered versions `existing` (oldest first) at `level`:
/// BACKWARD = candidate reads the latest; FORWARD = the latest reads candidate; FULL = both;
/// *_TRANSITIVE = the same against every version; NONE = always compatible.
[[nodiscard]] compat_report check_compatibility(compat_level level, const schema& candidate,
                                                std::span<const schema> existing);

} // namespace freshet::avro
