#include "common/window/value.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/window/hash.hpp"

namespace freshet::window {

std::optional<double> as_double(const field_value& v) {
  if (auto* i = std::get_if<int64_t>(&v))
    return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v)) {
    if (std::isnan(*d))
      return std::nullopt;
    return *d;
  }
  return std::nullopt;
}

namespace {

uint64_t int_hash(int64_t i) {
  char buf[9];
  buf[0] = 'i';
  auto u = static_cast<uint64_t>(i);
  for (int k = 0; k < 8; ++k)
    buf[k + 1] = static_cast<char>((u >> (8 * k)) & 0xff);
  return stable_hash(std::string_view(buf, 9));
}

} // namespace

uint64_t value_hash(const field_value& v) {
  if (auto* i = std::get_if<int64_t>(&v))
    return int_hash(*i);
  if (auto* d = std::get_if<double>(&v)) {
    // Integral reals in the exactly representable int64 range hash like the integer.
    if (std::trunc(*d) == *d && std::fabs(*d) < 9.2e18)
      return int_hash(static_cast<int64_t>(*d));
    double z = *d == 0 ? 0.0 : *d; // -0.0 == 0.0 is handled above; NaNs hash by bit pattern
    uint64_t bits;
    std::memcpy(&bits, &z, 8);
    char buf[9];
    buf[0] = 'r';
    for (int k = 0; k < 8; ++k)
      buf[k + 1] = static_cast<char>((bits >> (8 * k)) & 0xff);
    return stable_hash(std::string_view(buf, 9));
  }
  if (auto* s = std::get_if<std::string_view>(&v))
    return stable_hash(*s, 0x7465787400000000ULL); // "text" seed keeps text apart from numbers
  return 0;
}

std::string value_text(const field_value& v) {
  char buf[64];
  if (auto* i = std::get_if<int64_t>(&v)) {
    auto r = std::to_chars(buf, buf + sizeof buf, *i);
    return std::string(buf, r.ptr);
  }
  if (auto* d = std::get_if<double>(&v)) {
    auto r = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, r.ptr);
  }
  if (auto* s = std::get_if<std::string_view>(&v))
    return std::string(*s);
  return {};
}

const field_value* field_row::find(std::string_view name) const {
  for (size_t i = 0; i < names_.size() && i < values_.size(); ++i)
    if (names_[i] == name)
      return &values_[i];
  return nullptr;
}

} // namespace freshet::window
