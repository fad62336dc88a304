#include "common/parquet/rle.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace freshet::parquet {
namespace {

void put_varint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_rle_run(uint32_t value, size_t count, int bit_width, std::string& out) {
  put_varint(static_cast<uint64_t>(count) << 1, out);
  const int bytes = (bit_width + 7) / 8;
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void put_packed_run(std::span<const uint32_t> values, int bit_width, std::string& out) {
  if (values.empty())
    return;
  const size_t groups = (values.size() + 7) / 8;
  put_varint((static_cast<uint64_t>(groups) << 1) | 1, out);
  const size_t start = out.size();
  bit_pack(values, bit_width, out);
  // A run always covers whole groups: pad the last one with zero values.
  out.resize(start + groups * static_cast<size_t>(bit_width), '\0');
}

} // namespace

int bit_width_for(uint64_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void bit_pack(std::span<const uint32_t> values, int bit_width, std::string& out) {
  if (bit_width == 0)
    return;
  // Sized once and written 32 bits at a time: a push_back per byte cost more than the packing.
  const size_t start = out.size();
  out.resize(start + (values.size() * static_cast<size_t>(bit_width) + 7) / 8);
  char* p = out.data() + start;
  uint64_t acc = 0;
  int bits = 0;
  for (uint32_t v : values) {
    acc |= static_cast<uint64_t>(v) << bits;
    bits += bit_width;
    if (bits >= 32) {
      const auto word = static_cast<uint32_t>(acc);
      std::memcpy(p, &word, 4);
      p += 4;
      acc >>= 32;
      bits -= 32;
    }
  }
  for (; bits > 0; bits -= 8, acc >>= 8)
    *p++ = static_cast<char>(acc & 0xff);
}

void rle_encode(std::span<const uint32_t> values, int bit_width, std::string& out) {
  const size_t n = values.size();
  size_t literal_begin = 0; // values[literal_begin, i) wait to be bit-packed
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && values[j] == values[i])
      ++j;
    size_t run = j - i;
    if (run >= 8) {
      // A packed run in the middle must hold whole groups: lend it values from this repeat.
      const size_t literal = i - literal_begin;
      const size_t pad = literal % 8 == 0 ? 0 : 8 - literal % 8;
      if (literal > 0 && run - pad >= 8) {
        put_packed_run(values.subspan(literal_begin, literal + pad), bit_width, out);
        i += pad;
        run -= pad;
      } else if (literal > 0) {
        i = j; // too short once padded: keep it literal
        continue;
      }
      put_rle_run(values[i], run, bit_width, out);
      i = j;
      literal_begin = j;
    } else {
      i = j;
    }
  }
  put_packed_run(values.subspan(literal_begin, n - literal_begin), bit_width, out);
}

bool rle_decoder::next_run() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (p_ >= end_ || shift > 28)
      return false;
    const uint8_t b = *p_++;
    header |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80))
      break;
  }
  if (header & 1) {
    const uint64_t groups = header >> 1;
    const uint64_t want_bytes = groups * static_cast<uint64_t>(bit_width_);
    const uint64_t have_bytes = static_cast<uint64_t>(end_ - p_);
    // Some writers end the last packed run early; take the values that are really there.
    const uint64_t bytes = std::min(want_bytes, have_bytes);
    packed_ = p_;
    bit_offset_ = 0;
    packed_left_ = bit_width_ == 0 ? static_cast<size_t>(groups * 8) : static_cast<size_t>(bytes * 8 / static_cast<uint64_t>(bit_width_));
    p_ += bytes;
    return true;
  }
  rle_left_ = static_cast<size_t>(header >> 1);
  const int bytes = (bit_width_ + 7) / 8;
  if (end_ - p_ < bytes)
    return false;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p_[i]) << (8 * i);
  p_ += bytes;
  if (bit_width_ < 32 && (v >> bit_width_) != 0)
    return false;
  rle_value_ = static_cast<uint32_t>(v);
  return true;
}

bool rle_decoder::get(uint32_t* out, size_t count) {
  if (bit_width_ < 0 || bit_width_ > 32)
    return false;
  const uint64_t mask = bit_width_ == 32 ? 0xffffffffull : ((1ull << bit_width_) - 1);
  while (count > 0) {
    if (rle_left_ > 0) {
      const size_t n = std::min(rle_left_, count);
      std::fill_n(out, n, rle_value_);
      out += n;
      count -= n;
      rle_left_ -= n;
      continue;
    }
    if (packed_left_ > 0) {
      const size_t n = std::min(packed_left_, count);
      for (size_t k = 0; k < n; ++k) {
        uint64_t v = 0;
        if (bit_width_ > 0) {
          const uint64_t byte = bit_offset_ >> 3;
          const int shift = static_cast<int>(bit_offset_ & 7);
          // A value spans at most 5 bytes; read only those that belong to the run.
          const int need = (shift + bit_width_ + 7) / 8;
          uint64_t word = 0;
          for (int b = 0; b < need; ++b)
            word |= static_cast<uint64_t>(packed_[byte + static_cast<uint64_t>(b)]) << (8 * b);
          v = (word >> shift) & mask;
          bit_offset_ += static_cast<uint64_t>(bit_width_);
        }
        out[k] = static_cast<uint32_t>(v);
      }
      out += n;
      count -= n;
      packed_left_ -= n;
      continue;
    }
    if (!next_run())
      return false;
  }
  return true;
}

} // namespace freshet::parquet
