#include "common/window/bytes.hpp"

#include <bit>
#include <cstring>
#include <string>

namespace freshet::window {

void byte_writer::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void byte_writer::fixed64(uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i)
    buf[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out_.append(buf, 8);
}

void byte_writer::f64(double v) { fixed64(std::bit_cast<uint64_t>(v)); }

void byte_writer::bytes(std::string_view v) {
  varint(v.size());
  out_.append(v);
}

uint8_t byte_reader::u8() {
  if (!ok() || in_.empty()) {
    fail(errc::truncated);
    return 0;
  }
  auto v = static_cast<uint8_t>(in_.front());
  in_.remove_prefix(1);
  return v;
}

uint64_t byte_reader::varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!ok() || in_.empty()) {
      fail(errc::truncated);
      return 0;
    }
    auto b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    if (shift == 63 && b > 1) {
      fail(errc::bad_varint);
      return 0;
    }
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0)
      return v;
  }
  fail(errc::bad_varint);
  return 0;
}

uint64_t byte_reader::fixed64() {
  auto s = raw(8);
  if (s.size() != 8)
    return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(s[i])) << (8 * i);
  return v;
}

double byte_reader::f64() { return std::bit_cast<double>(fixed64()); }

std::string_view byte_reader::bytes() {
  uint64_t n = varint();
  if (!ok())
    return {};
  return raw(n);
}

std::string_view byte_reader::raw(size_t n) {
  if (!ok() || in_.size() < n) {
    fail(errc::truncated);
    return {};
  }
  auto v = in_.substr(0, n);
  in_.remove_prefix(n);
  return v;
}

uint64_t byte_reader::count(size_t min_element_bytes) {
  uint64_t n = varint();
  if (ok() && min_element_bytes > 0 && n > in_.size() / min_element_bytes) {
    fail(errc::truncated);
    return 0;
  }
  return ok() ? n : 0;
}

status byte_reader::check(std::string_view what) const {
  if (ok())
    return {};
  std::string msg = "while decoding ";
  msg += what;
  return make_window_error(err_, msg);
}

} // namespace freshet::window
