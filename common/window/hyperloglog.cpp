#include "common/window/hyperloglog.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

#include "common/window/errc.hpp"

namespace freshet::window {

namespace {

// sigma and tau of Ertl (2017), section 4: series evaluated until they stop changing.
double sigma(double x) {
  if (x == 1.0)
    return std::numeric_limits<double>::infinity();
  double y = 1;
  double z = x;
  double previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z != previous);
  return z;
}

double tau(double x) {
  if (x == 0.0 || x == 1.0)
    return 0.0;
  double y = 1;
  double z = 1 - x;
  double previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z != previous);
  return z / 3;
}

} // namespace

hyperloglog::hyperloglog(int precision) : p_(std::clamp(precision, min_precision, max_precision)) {}

double hyperloglog::standard_error() const { return 1.04 / std::sqrt(static_cast<double>(register_count())); }

void hyperloglog::add_hash(uint64_t h) {
  auto idx = static_cast<uint32_t>(h >> (64 - p_));
  uint64_t rest = h << p_;
  int q = 64 - p_;
  auto rank = static_cast<uint8_t>(rest == 0 ? q + 1 : std::countl_zero(rest) + 1);
  set_max(idx, rank);
}

void hyperloglog::set_max(uint32_t idx, uint8_t rank) {
  if (!dense_.empty()) {
    dense_[idx] = std::max(dense_[idx], rank);
    return;
  }
  uint32_t key = idx << 8;
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), key);
  if (it != sparse_.end() && (*it >> 8) == idx) {
    if ((*it & 0xff) < rank)
      *it = key | rank;
    return;
  }
  sparse_.insert(it, key | rank);
  if (sparse_.size() > sparse_limit())
    densify();
}

void hyperloglog::densify() {
  dense_.assign(register_count(), 0);
  for (uint32_t e : sparse_)
    dense_[e >> 8] = static_cast<uint8_t>(e & 0xff);
  sparse_.clear();
  sparse_.shrink_to_fit();
}

uint8_t hyperloglog::register_at(size_t i) const {
  if (!dense_.empty())
    return dense_[i];
  auto key = static_cast<uint32_t>(i << 8);
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), key);
  return (it != sparse_.end() && (*it >> 8) == i) ? static_cast<uint8_t>(*it & 0xff) : 0;
}

bool hyperloglog::same_registers(const hyperloglog& o) const {
  if (p_ != o.p_)
    return false;
  for (size_t i = 0; i < register_count(); ++i)
    if (register_at(i) != o.register_at(i))
      return false;
  return true;
}

status hyperloglog::merge(const hyperloglog& other) {
  if (other.p_ != p_)
    return make_window_error(errc::incompatible_merge, "HyperLogLog sketches of different precision");
  if (!other.dense_.empty()) {
    if (dense_.empty())
      densify();
    for (size_t i = 0; i < dense_.size(); ++i)
      dense_[i] = std::max(dense_[i], other.dense_[i]);
    return {};
  }
  for (uint32_t e : other.sparse_)
    set_max(e >> 8, static_cast<uint8_t>(e & 0xff));
  return {};
}

double hyperloglog::estimate() const {
  const int q = 64 - p_;
  const double m = static_cast<double>(register_count());
  std::array<double, 66> c{}; // histogram of register values 0..q+1
  if (dense_.empty()) {
    c[0] = m - static_cast<double>(sparse_.size());
    for (uint32_t e : sparse_)
      c[e & 0xff] += 1;
  } else {
    for (uint8_t r : dense_)
      c[r] += 1;
  }
  if (c[0] == m)
    return 0.0;
  // Ertl (2017), algorithm 6: the improved raw estimator.
  double z = m * tau(1.0 - c[q + 1] / m);
  for (int k = q; k >= 1; --k)
    z = 0.5 * (z + c[k]);
  z += m * sigma(c[0] / m);
  constexpr double alpha_inf = 0.72134752044448170367996234050095; // 1 / (2 ln 2)
  return alpha_inf * m * m / z;
}

void hyperloglog::encode(byte_writer& out) const {
  out.u8(static_cast<uint8_t>(p_));
  if (dense_.empty()) {
    out.u8(0);
    out.varint(sparse_.size());
    uint32_t previous = 0;
    for (uint32_t e : sparse_) {
      out.varint((e >> 8) - previous); // ascending indices: small deltas
      out.u8(static_cast<uint8_t>(e & 0xff));
      previous = e >> 8;
    }
  } else {
    out.u8(1);
    out.raw(std::string_view(reinterpret_cast<const char*>(dense_.data()), dense_.size()));
  }
}

status hyperloglog::decode(byte_reader& in) {
  int p = in.u8();
  uint8_t mode = in.u8();
  FRESHET_TRY(in.check("HyperLogLog header"));
  if (p < min_precision || p > max_precision || mode > 1)
    return make_window_error(errc::invalid_state, "HyperLogLog precision or mode out of range");
  const size_t m = size_t{1} << p;
  const int max_rank = 64 - p + 1;
  std::vector<uint32_t> sparse;
  std::vector<uint8_t> dense;
  if (mode == 0) {
    uint64_t n = in.count(2);
    if (n > m / 8)
      in.fail(errc::invalid_state);
    sparse.reserve(n);
    uint64_t idx = 0;
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      uint64_t delta = in.varint();
      uint8_t rank = in.u8();
      idx += delta;
      if ((i > 0 && delta == 0) || idx >= m || rank == 0 || rank > max_rank)
        in.fail(errc::invalid_state);
      sparse.push_back(static_cast<uint32_t>(idx << 8) | rank);
    }
  } else {
    auto raw = in.raw(m);
    dense.assign(raw.begin(), raw.end());
    for (uint8_t r : dense)
      if (r > max_rank)
        in.fail(errc::invalid_state);
  }
  FRESHET_TRY(in.check("HyperLogLog registers"));
  p_ = p;
  sparse_ = std::move(sparse);
  dense_ = std::move(dense);
  return {};
}

} // namespace freshet::window
