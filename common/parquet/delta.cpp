#include "common/parquet/delta.hpp"

#include <algorithm>

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

error bad(const char* why) { return make_parquet_error(errc::malformed, why); }

struct cursor {
  const uint8_t* p;
  const uint8_t* end;

  bool uleb(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end)
        return false;
      const uint8_t b = *p++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  bool zigzag(int64_t& v) {
    uint64_t u = 0;
    if (!uleb(u))
      return false;
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
};

uint64_t unpack(const uint8_t* p, uint64_t index, int width) {
  uint64_t v = 0;
  uint64_t bit = index * static_cast<uint64_t>(width);
  int got = 0;
  while (got < width) {
    const int off = static_cast<int>(bit & 7);
    const int take = std::min(8 - off, width - got);
    v |= static_cast<uint64_t>((p[bit >> 3] >> off) & ((1u << take) - 1)) << got;
    got += take;
    bit += static_cast<uint64_t>(take);
  }
  return v;
}

} // namespace

result<size_t> delta_binary_decode(std::string_view data, size_t max_count, bool is32, std::vector<int64_t>& out) {
  cursor c{reinterpret_cast<const uint8_t*>(data.data()), reinterpret_cast<const uint8_t*>(data.data()) + data.size()};
  uint64_t block_size = 0, miniblocks = 0, total = 0;
  int64_t first = 0;
  if (!c.uleb(block_size) || !c.uleb(miniblocks) || !c.uleb(total) || !c.zigzag(first))
    return bad("DELTA_BINARY_PACKED: truncated header");
  if (block_size == 0 || block_size % 128 != 0 || block_size > (1u << 20) || miniblocks == 0 || block_size % miniblocks != 0 ||
      (block_size / miniblocks) % 32 != 0)
    return bad("DELTA_BINARY_PACKED: bad block layout");
  if (total > max_count)
    return bad("DELTA_BINARY_PACKED: more values than the page holds");
  const uint64_t per_mini = block_size / miniblocks;
  const int max_width = is32 ? 32 : 64;
  const size_t start = out.size();
  uint64_t last = static_cast<uint64_t>(first);
  if (total > 0)
    out.push_back(is32 ? static_cast<int32_t>(last) : static_cast<int64_t>(last));
  while (out.size() - start < total) {
    int64_t min_delta = 0;
    if (!c.zigzag(min_delta))
      return bad("DELTA_BINARY_PACKED: truncated block");
    if (static_cast<uint64_t>(c.end - c.p) < miniblocks)
      return bad("DELTA_BINARY_PACKED: truncated bit widths");
    const uint8_t* widths = c.p;
    c.p += miniblocks;
    for (uint64_t m = 0; m < miniblocks && out.size() - start < total; ++m) {
      const int w = widths[m];
      if (w > max_width)
        return bad("DELTA_BINARY_PACKED: miniblock wider than the type");
      const uint64_t bytes = per_mini * static_cast<uint64_t>(w) / 8;
      if (static_cast<uint64_t>(c.end - c.p) < bytes)
        return bad("DELTA_BINARY_PACKED: truncated miniblock");
      for (uint64_t i = 0; i < per_mini && out.size() - start < total; ++i) {
        last += static_cast<uint64_t>(min_delta) + (w ? unpack(c.p, i, w) : 0);
        out.push_back(is32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(last))) : static_cast<int64_t>(last));
      }
      c.p += bytes;
    }
  }
  return static_cast<size_t>(c.p - reinterpret_cast<const uint8_t*>(data.data()));
}

status delta_length_decode(std::string_view data, size_t count, size_t& budget, std::vector<std::string>& out) {
  std::vector<int64_t> lengths;
  auto used = delta_binary_decode(data, count, true, lengths);
  FRESHET_TRY(used);
  if (lengths.size() != count)
    return bad("DELTA_LENGTH_BYTE_ARRAY: length count differs from the values");
  size_t pos = *used;
  for (int64_t n : lengths) {
    if (n < 0 || static_cast<uint64_t>(n) > data.size() - pos)
      return bad("DELTA_LENGTH_BYTE_ARRAY: value longer than the page");
    if (static_cast<size_t>(n) > budget)
      return make_parquet_error(errc::limit_exceeded, "DELTA_LENGTH_BYTE_ARRAY: values exceed the memory limit");
    budget -= static_cast<size_t>(n);
    out.emplace_back(data.substr(pos, static_cast<size_t>(n)));
    pos += static_cast<size_t>(n);
  }
  return {};
}

status delta_byte_array_decode(std::string_view data, size_t count, size_t& budget, std::vector<std::string>& out) {
  std::vector<int64_t> prefixes;
  auto used = delta_binary_decode(data, count, true, prefixes);
  FRESHET_TRY(used);
  if (prefixes.size() != count)
    return bad("DELTA_BYTE_ARRAY: prefix count differs from the values");
  std::vector<std::string> suffixes;
  FRESHET_TRY(delta_length_decode(data.substr(*used), count, budget, suffixes));
  std::string previous;
  for (size_t i = 0; i < count; ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > previous.size())
      return bad("DELTA_BYTE_ARRAY: prefix longer than the previous value");
    const auto prefix = static_cast<size_t>(prefixes[i]);
    if (prefix > budget)
      return make_parquet_error(errc::limit_exceeded, "DELTA_BYTE_ARRAY: values exceed the memory limit");
    budget -= prefix;
    std::string v = previous.substr(0, prefix) + suffixes[i];
    previous = v;
    out.push_back(std::move(v));
  }
  return {};
}

status byte_stream_split_decode(std::string_view data, size_t count, size_t width, std::string& out) {
  if (width == 0 || data.size() % width != 0)
    return bad("BYTE_STREAM_SPLIT: page size is not a multiple of the value width");
  const size_t n = data.size() / width; // the streams run to the end of the page
  if (count > n)
    return bad("BYTE_STREAM_SPLIT: fewer values than the page needs");
  const size_t start = out.size();
  out.resize(start + count * width);
  for (size_t i = 0; i < count; ++i)
    for (size_t b = 0; b < width; ++b)
      out[start + i * width + b] = data[b * n + i];
  return {};
}

} // namespace freshet::parquet
