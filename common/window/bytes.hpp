#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/window/errc.hpp"

namespace freshet::window {

/// Appends the compact, platform-independent encoding every persisted window state uses
/// (aggregator states, operator snapshots, changelog records): LEB128 varints, zigzag for signed
/// values, little-endian IEEE doubles, length-prefixed byte strings.
class byte_writer {
 public:
  explicit byte_writer(std::string& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(uint64_t v);
  void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void fixed64(uint64_t v);
  void f64(double v);
  void bytes(std::string_view v);
  /// Bytes with no length in front (the reader must know the size).
  void raw(std::string_view v) { out_.append(v); }
  [[nodiscard]] size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

/// Reads what `byte_writer` wrote. Failure is sticky: after the first short or malformed read
/// every getter returns zero values and `ok()` is false, so decoders check once at the end (or
/// before trusting a count to size an allocation, see `count`).
class byte_reader {
 public:
  explicit byte_reader(std::string_view in) : in_(in) {}

  uint8_t u8();
  uint64_t varint();
  int64_t svarint() {
    uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  uint64_t fixed64();
  double f64();
  std::string_view bytes();
  std::string_view raw(size_t n);
  /// A element count, rejected (reader fails) when the remaining input cannot hold `n` elements of
  /// at least `min_element_bytes` each — hostile counts never size an allocation.
  uint64_t count(size_t min_element_bytes = 1);

  [[nodiscard]] bool ok() const { return err_ == errc{}; }
  [[nodiscard]] bool at_end() const { return in_.empty(); }
  [[nodiscard]] size_t remaining() const { return in_.size(); }
  /// Marks the input as describing an impossible state (the decoder found it inconsistent).
  void fail(errc e) {
    if (ok())
      err_ = e;
  }
  /// `ok()` as a status, naming `what` was being decoded.
  [[nodiscard]] status check(std::string_view what) const;

 private:
  std::string_view in_;
  errc err_{};
};

} // namespace freshet::window
