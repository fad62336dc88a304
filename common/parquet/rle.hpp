#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

/// The RLE / bit-packing hybrid of parquet-format's Encodings.md: definition and repetition levels,
/// dictionary indices and RLE booleans. Runs are `varint(header)` followed by either one repeated
/// value in ceil(bit_width/8) little-endian bytes (header = count << 1) or groups of 8 values packed
/// LSB first (header = groups << 1 | 1).
namespace freshet::parquet {

/// Bits needed to store values up to `max_value` (0 for 0).
[[nodiscard]] int bit_width_for(uint64_t max_value);

/// Appends the hybrid encoding of `values` (each < 2^bit_width, bit_width <= 32) to `out`, without a
/// length prefix. Repeats of 8 or more become RLE runs; the rest is bit-packed.
void rle_encode(std::span<const uint32_t> values, int bit_width, std::string& out);

/// Packs `values` LSB first, `bit_width` bits each, padding the last byte with zeros (PLAIN booleans).
void bit_pack(std::span<const uint32_t> values, int bit_width, std::string& out);

/// Decodes hybrid runs from untrusted bytes; never reads outside [data, data + size).
class rle_decoder {
 public:
  rle_decoder(const uint8_t* data, size_t size, int bit_width) : p_(data), end_(data + size), bit_width_(bit_width) {}

  /// Decodes exactly `count` values into `out`; false if the data ends first or a run is malformed
  /// (an RLE value wider than bit_width).
  [[nodiscard]] bool get(uint32_t* out, size_t count);

 private:
  bool next_run();

  const uint8_t* p_;
  const uint8_t* end_;
  int bit_width_;
  // Current run: either `rle_left_` copies of `rle_value_`, or `packed_left_` values from `packed_`.
  size_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  size_t packed_left_ = 0;
  const uint8_t* packed_ = nullptr;
  uint64_t bit_offset_ = 0;
};

} // namespace freshet::parquet
