#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

/// PLAIN encoding: little-endian fixed-width numbers, byte arrays as a 4-byte length and the bytes,
/// booleans bit-packed LSB first. Also the statistics form (byte arrays without the length).
namespace freshet::parquet {

static_assert(std::endian::native == std::endian::little, "PLAIN encoding is written with memcpy");

template <class T>
void put_le(T v, std::string& out) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
T get_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

/// Appends the PLAIN encoding of one non-null value (not for booleans, which pack by the page).
void plain_append(physical_type type, const value& v, std::string& out);

/// The statistics encoding of a value: PLAIN, without a length for byte arrays, one byte for booleans.
[[nodiscard]] std::string stat_bytes(physical_type type, const value& v);

/// Decodes `count` PLAIN values of column `c` from `data` into `out`; returns the bytes consumed.
/// Errors (`malformed`) when the data is short.
[[nodiscard]] result<size_t> plain_decode(const column_descriptor& c, std::string_view data, size_t count, std::vector<value>& out);

/// Decodes a statistics value; nullopt when the bytes do not fit the column's type.
[[nodiscard]] std::optional<value> decode_stat_value(const column_descriptor& c, std::string_view bytes);

} // namespace freshet::parquet
