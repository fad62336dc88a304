#pragma once

#include "common/base/result.hpp"
#include "common/event/record.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::lake {

/// Decoded events (`event::record`, whatever their wire format) as rows of a table's data files.
///
/// Each column takes the record path of its name: struct members come from the dotted paths the
/// record flattens nested objects to ("geo.country"); arrays from their JSON text (how records keep
/// them; Avro-JSON union wrappers are unwrapped); maps from their JSON text or from dotted paths.
/// Values convert to the column type when that loses nothing (an integral double into a long, a
/// number into a string column as its text); timestamps scale from the unit the column's source
/// carries (`data_type::source_unit_us`, epoch milliseconds by default) to microseconds, dates take
/// days or `YYYY-MM-DD`. Record fields without a column are left out.
///
/// An absent value takes the column's default (`struct_field::default_json`, the Avro default) if it
/// has one, else null; null in a non-nullable column is `errc::schema_mismatch` naming the column, as
/// is any value that does not fit. Immutable after construction: safe to share across threads.
class row_mapper {
 public:
  explicit row_mapper(table_schema data_columns);

  [[nodiscard]] result<parquet::row> map(const event::record& rec) const;
  [[nodiscard]] const table_schema& columns() const { return columns_; }

 private:
  table_schema columns_;
};

} // namespace freshet::lake
