#pragma once

#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace freshet::avro {

/// Reason codes of everything `freshet::avro` rejects. They travel as `error::code` with
/// `error_domain::decode`; `to_string` gives the stable snake_case name that DLQ headers and metrics
/// carry, so never renumber or rename one (add new ones at the end of their block).
enum class errc : int {
  // Schema text (parse + validation).
  schema_syntax = 100,        ///< not JSON, or not a schema shape at all
  schema_invalid_name,        ///< a name, namespace, alias or symbol breaks [A-Za-z_][A-Za-z0-9_]*
  schema_duplicate_name,      ///< a named type defined twice, or named like a primitive
  schema_unknown_type,        ///< a type name that is neither primitive nor defined before use
  schema_bad_default,         ///< a default that does not match its type (unions: the first branch)
  schema_duplicate_field,     ///< two record fields with one name
  schema_duplicate_symbol,    ///< two enum symbols with one name
  schema_bad_union,           ///< nested union, or two branches of one kind/name
  schema_missing_attribute,   ///< e.g. a record without fields, a fixed without size
  schema_bad_attribute,       ///< an attribute of the wrong JSON type or value

  // JSON -> Avro rejections (issue 3: reason codes of the ingest DLQ).
  malformed_json = 200,       ///< not JSON, trailing garbage, duplicate key
  wrong_type,                 ///< JSON value of a kind the Avro type cannot take
  missing_field,              ///< a required field (no default) is absent
  null_not_allowed,           ///< JSON null where the type has no null
  unknown_enum_symbol,        ///< a string that is not one of the enum's symbols
  number_out_of_range,        ///< int32/int64 overflow, fraction or exponent for int/long, float overflow
  invalid_utf8,               ///< bad UTF-8 bytes or a lone surrogate escape in a string
  unknown_field,              ///< a JSON field the record does not declare (when rejected)
  bad_timestamp,              ///< timestamp-millis/micros that is negative or not an integer
  too_deep,                   ///< nesting beyond the configured depth

  // Confluent framing.
  not_confluent_framed = 300, ///< first byte is not the magic 0
  truncated,                  ///< input ends before the value (or the header) does

  // Avro binary decoding.
  bad_varint = 400,           ///< a varint longer than 10 bytes or overflowing 64 bits
  negative_length,            ///< a negative byte or string length
  length_too_large,           ///< a length or count the remaining input cannot hold, or over the limits
  bad_union_index,            ///< a union branch index out of range
  bad_enum_index,             ///< an enum index out of range
  trailing_bytes,             ///< bytes left after the top-level value
  unresolvable,               ///< data the reader schema cannot take (writer branch or symbol unknown to it)
  incompatible_schemas,       ///< the reader schema cannot read the writer schema at all
  invalid_encoding,           ///< e.g. a boolean byte other than 0/1
};

/// Stable snake_case name of a reason ("malformed_json", ...).
[[nodiscard]] const char* to_string(errc e);

/// An error of this library: domain `decode`, code `e`, message prefixed with the reason name.
[[nodiscard]] error make_avro_error(errc e, std::string_view message);

/// The reason of an error made by this library (or nullopt-like `errc{0}` for foreign errors).
[[nodiscard]] errc reason_of(const error& err);

} // namespace freshet::avro
