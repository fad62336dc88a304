#pragma once

#include <string>

#include "common/base/result.hpp"
#include "common/event/record.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/parquet/value.hpp"

/// The value conversions of `row_mapper`, shared with `json_row_decoder` so both give the same rows.
namespace freshet::lake::detail {

/// One record value into a column of type `t` (strings holding JSON text for arrays, maps, structs).
[[nodiscard]] result<parquet::value> convert_event(const event::value& v, const data_type& t, bool nullable,
                                                   const std::string& path);
/// What an absent (or explicitly null, for a non-nullable column) value becomes: the default, null,
/// or `errc::schema_mismatch`.
[[nodiscard]] result<parquet::value> absent_value(const struct_field& f, const std::string& path);

} // namespace freshet::lake::detail
