#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/schema.hpp"

/// Delta per-file statistics (PROTOCOL.md "Per-file Statistics") of a data file, derived from the
/// column-chunk statistics our Parquet writer put in the file's footer (so no second pass over rows).
///
/// `numRecords` always; `nullCount` for every column outside lists and maps (nested struct members
/// as nested objects); `minValues`/`maxValues` for numbers, strings, dates and timestamps: strings
/// cut to `string_prefix` code points (the max then gets U+10FFFF appended so it stays an upper
/// bound), timestamps truncated to milliseconds as the protocol says, floats only when every value
/// is finite. Booleans and binaries get null counts only.
namespace freshet::lake {

struct stats_options {
  size_t string_prefix = 32; ///< Spark's `dataSkippingStringPrefixLength`
};

/// The stats JSON text for `add.stats`.
[[nodiscard]] std::string file_stats_json(const parquet::schema& s, const parquet::file_meta_data& meta,
                                          const stats_options& options = {});

/// `YYYY-MM-DD` of days since 1970-01-01 (the partition-value and stats form of a date).
[[nodiscard]] std::string format_date(int32_t days);
/// Days since 1970-01-01 of a `YYYY-MM-DD` text, if it is one.
[[nodiscard]] std::optional<int32_t> parse_date(std::string_view text);
/// Days since 1970-01-01 of the UTC day holding `ms` (ms since the epoch).
[[nodiscard]] int32_t utc_day(int64_t ms);

} // namespace freshet::lake
