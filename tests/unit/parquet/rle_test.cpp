// common/parquet: the RLE / bit-packing hybrid against a brute-force oracle on random inputs.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/parquet/rle.hpp"

namespace {

using freshet::parquet::bit_pack;
using freshet::parquet::bit_width_for;
using freshet::parquet::rle_decoder;
using freshet::parquet::rle_encode;

/// The oracle: a decoder written straight from Encodings.md, bit by bit, with no batching.
std::vector<uint32_t> oracle_decode(const std::string& bytes, int width, size_t count) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  auto byte_at = [&](size_t i) -> uint32_t { return static_cast<uint8_t>(bytes.at(i)); };
  while (out.size() < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      const uint32_t b = byte_at(pos++);
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        break;
    }
    if (header & 1) {
      const size_t n = (header >> 1) * 8;
      const size_t base_bit = pos * 8;
      for (size_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        for (int b = 0; b < width; ++b) {
          const size_t bit = base_bit + i * static_cast<size_t>(width) + static_cast<size_t>(b);
          v |= ((byte_at(bit / 8) >> (bit % 8)) & 1u) << b;
        }
        out.push_back(v);
      }
      pos += (header >> 1) * static_cast<size_t>(width);
    } else {
      uint32_t v = 0;
      for (int i = 0; i < (width + 7) / 8; ++i)
        v |= byte_at(pos++) << (8 * i);
      out.insert(out.end(), static_cast<size_t>(header >> 1), v);
    }
  }
  out.resize(count);
  return out;
}

std::vector<uint32_t> random_values(std::mt19937_64& rng, int width, size_t n) {
  const uint64_t limit = width == 32 ? (1ull << 32) : (1ull << width);
  std::vector<uint32_t> v;
  while (v.size() < n) {
    const auto x = static_cast<uint32_t>(rng() % limit);
    // Mix long repeats (RLE runs) with noise (bit-packed runs).
    const size_t repeat = rng() % 3 == 0 ? rng() % 40 : 1;
    for (size_t i = 0; i < repeat && v.size() < n; ++i)
      v.push_back(x);
  }
  return v;
}

TEST(rle, spec_example_of_bit_packing) {
  // Encodings.md: values 0..7 at bit width 3 pack to 10001000 11000110 11111010.
  std::string out;
  bit_pack(std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}, 3, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0b10001000);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 0b11000110);
  EXPECT_EQ(static_cast<uint8_t>(out[2]), 0b11111010);
}

TEST(rle, bit_widths) {
  EXPECT_EQ(bit_width_for(0), 0);
  EXPECT_EQ(bit_width_for(1), 1);
  EXPECT_EQ(bit_width_for(2), 2);
  EXPECT_EQ(bit_width_for(3), 2);
  EXPECT_EQ(bit_width_for(4), 3);
  EXPECT_EQ(bit_width_for(0xffffffffu), 32);
}

TEST(rle, long_repeats_become_rle_runs) {
  std::vector<uint32_t> v(1000, 5);
  std::string out;
  rle_encode(v, 3, out);
  EXPECT_EQ(out.size(), 3u); // varint(2000) + one value byte
}

TEST(rle, random_inputs_match_the_oracle_both_ways) {
  std::mt19937_64 rng{42};
  for (int iter = 0; iter < 3000; ++iter) {
    const int width = static_cast<int>(rng() % 33);
    const size_t n = rng() % 300;
    const auto values = random_values(rng, width, n);
    std::string bytes;
    rle_encode(values, width, bytes);
    // Our encoder, read by the oracle.
    ASSERT_EQ(oracle_decode(bytes, width, n), values) << "width " << width << " n " << n;
    // Our decoder, reading our encoder, in uneven batches.
    rle_decoder d{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), width};
    std::vector<uint32_t> got(n);
    size_t at = 0;
    while (at < n) {
      const size_t k = std::min(n - at, static_cast<size_t>(1 + rng() % 17));
      ASSERT_TRUE(d.get(got.data() + at, k));
      at += k;
    }
    ASSERT_EQ(got, values);
  }
}

TEST(rle, decoder_reads_hand_made_runs_the_oracle_agrees_with) {
  // Runs our encoder would never produce: a 1-long RLE run, a packed run of 3 groups, a 0-long run.
  std::mt19937_64 rng{7};
  for (int iter = 0; iter < 500; ++iter) {
    const int width = 1 + static_cast<int>(rng() % 20);
    std::string bytes;
    size_t total = 0;
    for (int run = 0; run < 6; ++run) {
      if (rng() % 2) {
        const size_t count = rng() % 5;
        bytes.push_back(static_cast<char>(count << 1));
        const uint32_t v = static_cast<uint32_t>(rng() % (1u << width));
        for (int i = 0; i < (width + 7) / 8; ++i)
          bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
        total += count;
      } else {
        const size_t groups = 1 + rng() % 3;
        bytes.push_back(static_cast<char>((groups << 1) | 1));
        std::vector<uint32_t> vals(groups * 8);
        for (auto& x : vals)
          x = static_cast<uint32_t>(rng() % (1u << width));
        bit_pack(vals, width, bytes);
        total += groups * 8;
      }
    }
    const auto want = oracle_decode(bytes, width, total);
    rle_decoder d{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), width};
    std::vector<uint32_t> got(total);
    ASSERT_TRUE(d.get(got.data(), total));
    ASSERT_EQ(got, want);
    // One more value than there is must fail, not invent data.
    uint32_t extra = 0;
    EXPECT_FALSE(d.get(&extra, 1));
  }
}

TEST(rle, malformed_runs_fail) {
  // RLE value wider than the bit width.
  const std::string wide = "\x02\x09"; // 1 x 9 at width 3
  rle_decoder a{reinterpret_cast<const uint8_t*>(wide.data()), wide.size(), 3};
  uint32_t v = 0;
  EXPECT_FALSE(a.get(&v, 1));
  // Truncated header.
  const std::string cut = "\x80";
  rle_decoder b{reinterpret_cast<const uint8_t*>(cut.data()), cut.size(), 3};
  EXPECT_FALSE(b.get(&v, 1));
  // Empty input.
  rle_decoder c{nullptr, 0, 3};
  EXPECT_FALSE(c.get(&v, 1));
}

} // namespace
