#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/parquet/detail/byte_buffer.hpp"
#include "common/parquet/metadata.hpp"

namespace freshet::parquet {

/// The distinct values of one column chunk, in first-seen order, and their PLAIN encoding (the
/// dictionary page body). Values are keyed by their PLAIN bytes, so -0.0, 0.0 and each NaN payload
/// keep their identity. An open-addressing table: inserting allocates nothing per value. The column
/// writer feeds it a page's values at a time so the table stays in cache (row by row, twenty
/// columns' tables would evict each other on every row).
class dictionary {
 public:
  explicit dictionary(physical_type type) : type_(type) {}

  /// The index of a fixed-width value given by its PLAIN bytes (4 or 8, little-endian), adding it if new.
  uint32_t insert_fixed(uint64_t bits);
  /// The index of a byte array, adding it if new.
  uint32_t insert_bytes(std::string_view bytes);
  [[nodiscard]] uint32_t size() const { return count_; }
  [[nodiscard]] std::string_view plain() const { return plain_.view(); }
  /// Entry `i` of a byte-array dictionary: its bytes, without the length.
  [[nodiscard]] std::string_view bytes_at(uint32_t i) const {
    const uint32_t at = offsets_[i];
    uint32_t n = 0;
    std::memcpy(&n, plain_.data() + at - 4, 4);
    return {plain_.data() + at, n};
  }
  void clear();
  /// Sizes an empty table for up to `values` distinct entries, so that a page of them is hashed
  /// without rehashing the table at every doubling on the way.
  void reserve(size_t values);

 private:
  /// Fixed-width values keep their bits in the slot, byte arrays their hash: a lookup touches one
  /// cache line unless the hashes collide.
  struct slot {
    uint64_t key = 0;
    uint32_t index = 0; ///< entry + 1; 0 = empty
  };
  /// Doubles the table (or makes it `min_slots` when empty), rehashing the entries.
  void grow(size_t min_slots = 1024);

  physical_type type_;
  uint32_t count_ = 0;
  detail::byte_buffer plain_;     // the dictionary page body
  std::vector<uint32_t> offsets_; // byte arrays: where entry i's bytes start in plain_
  std::vector<slot> slots_;       // open addressing, linear probing, power-of-two size
};

} // namespace freshet::parquet
