#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

/// Decoders for the encodings other writers pick for v2 pages (Spark, pyarrow on request):
/// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT, from
/// parquet-format's Encodings.md. Reader only; our writer uses PLAIN and RLE_DICTIONARY.
namespace freshet::parquet {

/// Decodes a DELTA_BINARY_PACKED run holding at most `max_count` values (arithmetic wraps at 32 bits
/// when `is32`), appending them to `out`. Returns the bytes the run took.
[[nodiscard]] result<size_t> delta_binary_decode(std::string_view data, size_t max_count, bool is32, std::vector<int64_t>& out);

/// DELTA_LENGTH_BYTE_ARRAY: `count` byte arrays. `budget` (bytes) bounds what may be allocated and is
/// reduced by what was.
[[nodiscard]] status delta_length_decode(std::string_view data, size_t count, size_t& budget, std::vector<std::string>& out);

/// DELTA_BYTE_ARRAY (front coding): `count` byte arrays, bounded by `budget` like above (prefixes let a
/// few bytes stand for long values).
[[nodiscard]] status delta_byte_array_decode(std::string_view data, size_t count, size_t& budget, std::vector<std::string>& out);

/// BYTE_STREAM_SPLIT: un-scatters `count` values of `width` bytes into their PLAIN form, appended to `out`.
[[nodiscard]] status byte_stream_split_decode(std::string_view data, size_t count, size_t width, std::string& out);

} // namespace freshet::parquet
