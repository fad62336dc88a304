#include "common/lake/zorder.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>

namespace freshet::lake {

namespace {

constexpr uint64_t sign_bit = uint64_t{1} << 63;

} // namespace

uint64_t order_key(const parquet::value& v) {
  using kind = parquet::value::kind;
  switch (v.type()) {
    case kind::null: return 0;
    case kind::boolean: return v.as_bool() ? 1 : 0;
    case kind::int32: return static_cast<uint64_t>(static_cast<int64_t>(v.as_int32())) ^ sign_bit;
    case kind::int64: return static_cast<uint64_t>(v.as_int64()) ^ sign_bit;
    case kind::float32:
    case kind::float64: {
      double d = v.type() == kind::float32 ? static_cast<double>(v.as_float()) : v.as_double();
      if (d == 0)
        d = 0; // -0.0 sorts with +0.0
      auto bits = std::bit_cast<uint64_t>(d);
      return (bits & sign_bit) ? ~bits : bits | sign_bit;
    }
    case kind::bytes: {
      uint64_t out = 0;
      const auto& s = v.as_bytes();
      for (size_t i = 0; i < 8; ++i)
        out = (out << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
      return out;
    }
    default: return 0;
  }
}

unsigned zorder_bits(size_t columns) {
  if (columns == 0)
    return 0;
  return static_cast<unsigned>(std::min<size_t>(32, 64 / columns));
}

uint64_t interleave_bits(const std::vector<uint64_t>& keys, unsigned bits) {
  uint64_t z = 0;
  for (unsigned b = bits; b-- > 0;)
    for (const auto k : keys)
      z = (z << 1) | ((k >> b) & 1u);
  return z;
}

std::vector<size_t> zorder_permutation(const std::vector<parquet::row>& rows, const std::vector<size_t>& columns) {
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (columns.empty() || rows.empty())
    return order;
  const unsigned bits = zorder_bits(columns.size());
  // keys[c][r]: column c's rank of row r, scaled to `bits` bits.
  std::vector<std::vector<uint64_t>> keys(columns.size(), std::vector<uint64_t>(rows.size()));
  for (size_t c = 0; c < columns.size(); ++c) {
    auto& k = keys[c];
    for (size_t r = 0; r < rows.size(); ++r)
      k[r] = columns[c] < rows[r].size() ? order_key(rows[r][columns[c]]) : 0;
    std::vector<uint64_t> distinct = k;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    const auto n = static_cast<unsigned __int128>(distinct.size());
    for (auto& x : k) {
      const auto rank = static_cast<unsigned __int128>(std::lower_bound(distinct.begin(), distinct.end(), x) - distinct.begin());
      x = static_cast<uint64_t>((rank << bits) / n);
    }
  }
  std::vector<uint64_t> z(rows.size());
  std::vector<uint64_t> row_keys(columns.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < columns.size(); ++c)
      row_keys[c] = keys[c][r];
    z[r] = interleave_bits(row_keys, bits);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return z[a] < z[b]; });
  return order;
}

} // namespace freshet::lake
