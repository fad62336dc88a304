#pragma once

// Avro binary primitives: zig-zag varints and little-endian IEEE floats. Header-only because the
// encoder's and decoder's inner loops call them per value.

#include <cstdint>
#include <cstring>
#include <string>

namespace freshet::avro::detail {

inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

/// Writes the zig-zag varint of `v` to `p` (room for 10 bytes); returns the bytes written.
inline std::size_t put_long(char* p, int64_t v) {
  uint64_t u = zigzag(v);
  std::size_t n = 0;
  while (u >= 0x80) {
    p[n++] = static_cast<char>((u & 0x7f) | 0x80);
    u >>= 7;
  }
  p[n++] = static_cast<char>(u);
  return n;
}

inline std::size_t varint_size(int64_t v) {
  uint64_t u = zigzag(v);
  std::size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

inline void write_long(std::string& out, int64_t v) {
  char buf[10];
  out.append(buf, put_long(buf, v));
}

inline void write_float(std::string& out, float f) {
  char buf[4];
  std::memcpy(buf, &f, 4); // little-endian hosts only (x86-64, aarch64 LE)
  out.append(buf, 4);
}

inline void write_double(std::string& out, double d) {
  char buf[8];
  std::memcpy(buf, &d, 8);
  out.append(buf, 8);
}

inline void write_bytes(std::string& out, const char* data, std::size_t n) {
  write_long(out, static_cast<int64_t>(n));
  out.append(data, n);
}

} // namespace freshet::avro::detail
