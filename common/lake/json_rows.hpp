#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::lake {

/// JSON events straight into rows of a table's data columns, in one pass: the rows (and errors)
/// `event::decode_json` followed by `row_mapper::map` would give, without the intermediate record —
/// the lake sink's hot path (about five times faster).
///
/// Top-level fields without a column can be collected as extras: flattened to dotted paths, values
/// as `event::as_text` prints them, nulls left out (what a record would hold). A top-level field can
/// be captured as a number (the event time).
///
/// Shapes the fast path does not take — keys with dots or escapes, duplicate keys, map columns given
/// a value, objects or arrays where a scalar column is, integers beyond int64, anything that is not
/// valid JSON — give `outcome::fallback`: the caller then takes the record path, whose answer
/// (including "not JSON") is authoritative. Immutable after construction; share across threads.
class json_row_decoder {
 public:
  json_row_decoder(table_schema data_columns, std::string capture_field, bool collect_extras);

  enum class outcome { ok, fallback };
  struct output {
    parquet::row row;
    std::vector<std::pair<std::string, std::string>> extras;
    std::optional<int64_t> captured;
  };

  /// `out` is overwritten. A value that does not fit its column also gives `fallback`: the record
  /// path then names the error as `row_mapper` does.
  [[nodiscard]] outcome decode(std::string_view json, output& out) const;

  [[nodiscard]] const table_schema& columns() const { return columns_; }

 private:
  /// The column named `k`, or columns().size(). A scan: events have tens of fields, and comparing
  /// lengths first beats hashing the key.
  [[nodiscard]] size_t find(std::string_view k) const;

  table_schema columns_;
  std::string capture_;
  bool extras_;
};

} // namespace freshet::lake
