// common/parquet: DELTA_* and BYTE_STREAM_SPLIT decoders against an encoder written from Encodings.md.
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/parquet/delta.hpp"

namespace {

using namespace freshet::parquet;

void uleb(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void zigzag(int64_t v, std::string& out) { uleb((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out); }

/// The test's own DELTA_BINARY_PACKED encoder: block 128, 4 miniblocks of 32, all arithmetic wrapping
/// in `bits` bits, the last block's unused miniblocks without bodies (as the spec allows).
std::string delta_encode(const std::vector<int64_t>& values, int bits) {
  const uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
  std::string out;
  uleb(128, out);
  uleb(4, out);
  uleb(values.size(), out);
  zigzag(values.empty() ? 0 : values[0], out);
  for (size_t start = 1; start < values.size(); start += 128) {
    const size_t n = std::min<size_t>(128, values.size() - start);
    std::vector<uint64_t> deltas(n);
    int64_t min_delta = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < n; ++i) {
      uint64_t d = (static_cast<uint64_t>(values[start + i]) - static_cast<uint64_t>(values[start + i - 1])) & mask;
      const int64_t sd = bits == 32 ? static_cast<int32_t>(static_cast<uint32_t>(d)) : static_cast<int64_t>(d);
      deltas[i] = static_cast<uint64_t>(sd);
      min_delta = std::min(min_delta, sd);
    }
    zigzag(min_delta, out);
    std::vector<int> widths(4, 0);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t rel = (deltas[i] - static_cast<uint64_t>(min_delta)) & mask;
      int w = 0;
      while (w < 64 && (rel >> w) != 0)
        ++w;
      widths[i / 32] = std::max(widths[i / 32], w);
    }
    for (int w : widths)
      out.push_back(static_cast<char>(w));
    for (size_t m = 0; m * 32 < n; ++m) {
      std::vector<bool> bitsv;
      for (size_t i = m * 32; i < m * 32 + 32; ++i) {
        const uint64_t rel = i < n ? (deltas[i] - static_cast<uint64_t>(min_delta)) & mask : 0;
        for (int b = 0; b < widths[m]; ++b)
          bitsv.push_back((rel >> b) & 1);
      }
      for (size_t b = 0; b < bitsv.size(); b += 8) {
        uint8_t byte = 0;
        for (size_t k = 0; k < 8; ++k)
          byte |= static_cast<uint8_t>(bitsv[b + k]) << k;
        out.push_back(static_cast<char>(byte));
      }
    }
  }
  return out;
}

TEST(delta, binary_packed_matches_an_independent_encoder) {
  std::mt19937_64 rng{5};
  for (int iter = 0; iter < 400; ++iter) {
    const bool is32 = iter % 2 == 0;
    const size_t n = rng() % 700;
    std::vector<int64_t> values;
    int64_t x = 0;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0: x = static_cast<int64_t>(static_cast<uint64_t>(x) + rng() % 5); break;  // sorted, small deltas (wrapping)
        case 1: x = static_cast<int64_t>(rng()); break;                                   // noise, huge deltas
        case 2: x = rng() % 2 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max(); break;
        default: break;                                                                   // repeats
      }
      values.push_back(is32 ? static_cast<int32_t>(x) : x);
    }
    const auto bytes = delta_encode(values, is32 ? 32 : 64) + "trailing";
    std::vector<int64_t> got;
    auto used = delta_binary_decode(bytes, n, is32, got);
    ASSERT_TRUE(used.ok()) << used.err().describe();
    EXPECT_EQ(*used, bytes.size() - 8);
    ASSERT_EQ(got, values) << "iteration " << iter;
  }
}

TEST(delta, binary_packed_rejects_lies) {
  std::vector<int64_t> out;
  EXPECT_FALSE(delta_binary_decode("", 10, true, out).ok());
  const auto ok = delta_encode({1, 2, 3, 4, 5}, 32);
  EXPECT_FALSE(delta_binary_decode(ok, 4, true, out).ok()); // more values than the page holds
  for (size_t cut = 0; cut + 1 < ok.size(); ++cut)
    EXPECT_FALSE(delta_binary_decode(ok.substr(0, cut), 5, true, out).ok()) << cut;
  std::string bad_block;
  uleb(100, bad_block); // not a multiple of 128
  uleb(4, bad_block);
  uleb(1, bad_block);
  zigzag(0, bad_block);
  EXPECT_FALSE(delta_binary_decode(bad_block, 1, true, out).ok());
}

TEST(delta, length_and_front_coded_byte_arrays_spec_example) {
  // Encodings.md: "axis", "axle", "babble", "babyhood" → prefixes 0,2,0,3; suffixes "axis","le","babble","yhood".
  std::string lengths = delta_encode({4, 2, 6, 5}, 32) + "axislebabbleyhood";
  size_t budget = 1 << 20;
  std::vector<std::string> suffixes;
  ASSERT_TRUE(delta_length_decode(lengths, 4, budget, suffixes).ok());
  EXPECT_EQ(suffixes, (std::vector<std::string>{"axis", "le", "babble", "yhood"}));
  const std::string front = delta_encode({0, 2, 0, 3}, 32) + lengths;
  std::vector<std::string> values;
  ASSERT_TRUE(delta_byte_array_decode(front, 4, budget, values).ok());
  EXPECT_EQ(values, (std::vector<std::string>{"axis", "axle", "babble", "babyhood"}));
  // A prefix longer than the previous value, and a budget too small for what prefixes expand to.
  std::vector<std::string> sink;
  EXPECT_FALSE(delta_byte_array_decode(delta_encode({1, 0, 0, 0}, 32) + lengths, 4, budget, sink).ok());
  size_t tiny = 10;
  EXPECT_FALSE(delta_byte_array_decode(front, 4, tiny, sink).ok());
}

TEST(delta, byte_stream_split_spec_example) {
  const std::string encoded("\xAA\x00\xA3\xBB\x11\xB4\xCC\x22\xC5\xDD\x33\xD6", 12);
  std::string plain;
  ASSERT_TRUE(byte_stream_split_decode(std::string_view(encoded.data(), 12), 3, 4, plain).ok());
  EXPECT_EQ(plain, std::string("\xAA\xBB\xCC\xDD\x00\x11\x22\x33\xA3\xB4\xC5\xD6", 12));
  EXPECT_FALSE(byte_stream_split_decode(std::string_view(encoded.data(), 11), 3, 4, plain).ok());
  EXPECT_FALSE(byte_stream_split_decode(std::string_view(encoded.data(), 12), 4, 4, plain).ok());
}

} // namespace
