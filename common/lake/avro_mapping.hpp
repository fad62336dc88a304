#pragma once

#include <string_view>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"
#include "common/lake/delta_schema.hpp"

/// A stream's Avro schema as a Delta table schema: what `metaData.schemaString` says and what the
/// data files hold.
///
/// | Avro | Delta |
/// |---|---|
/// | boolean, int, long, float, double | boolean, integer, long, float, double |
/// | string, enum, uuid | string |
/// | bytes, fixed | binary |
/// | date | date |
/// | timestamp-millis / -micros (and the local-timestamp ones, taken as UTC) | timestamp (microseconds) |
/// | time-millis / time-micros | integer / long |
/// | decimal | double (common/parquet writes no DECIMAL yet) |
/// | ["null", T] | T, nullable |
/// | a union of several non-null types | string (the value's JSON text), nullable if null is a branch |
/// | record | struct |
/// | array, map | array, map<string, _> (element / value nullability from their unions) |
/// | null | left out |
///
/// A field that is not a union is non-nullable; its Avro default (if any) is kept in
/// `struct_field::default_json` so that a writer can fill it for events that lack the field.
/// Recursive records have no Delta shape: `errc::unsupported`.
namespace freshet::lake {

/// The columns of a record schema (its fields, in order).
[[nodiscard]] result<table_schema> table_schema_from_avro(const avro::schema& s);
/// Parses `.avsc` text first (errors are the avro library's).
[[nodiscard]] result<table_schema> table_schema_from_avsc(std::string_view avsc);

} // namespace freshet::lake
