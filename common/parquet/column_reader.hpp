#pragma once

#include <cstdint>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/io.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet {

/// One leaf column of one row group, decoded: a level pair per entry and the non-null values in order.
/// Levels are filled even when the column's maximum is 0, so the assembler need not special-case.
struct column_data {
  std::vector<int16_t> def;
  std::vector<int16_t> rep;
  std::vector<value> values;
};

/// Reads and decodes every page of a column chunk: dictionary pages, data pages v1 and v2, PLAIN,
/// PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
/// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT values, any supported codec. Every length and
/// count in the file is checked against the bytes present and `options` before it is used.
[[nodiscard]] result<column_data> read_column_chunk(input& in, const column_descriptor& column, const column_meta_data& meta,
                                                    const reader_options& options);

} // namespace freshet::parquet
