#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// Thrift's compact protocol, only as much as Parquet's footer and page headers need. Our own code, so
/// the reader can bound every size and nesting depth it meets in untrusted bytes.
namespace freshet::parquet::thrift {

/// Compact-protocol type ids (field headers, list headers).
enum class ttype : uint8_t {
  stop = 0,
  bool_true = 1,
  bool_false = 2,
  byte = 3,
  i16 = 4,
  i32 = 5,
  i64 = 6,
  double_ = 7,
  binary = 8,
  list = 9,
  set = 10,
  map = 11,
  struct_ = 12,
};

/// Appends compact-protocol bytes to a string. Structs nest through begin/end pairs; the caller writes
/// fields in ascending id order (the delta encoding of field ids relies on it only for compactness).
class compact_writer {
 public:
  explicit compact_writer(std::string& out) : out_(out) {}

  void field_bool(int16_t id, bool v);
  void field_i8(int16_t id, int8_t v);
  void field_i16(int16_t id, int16_t v);
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_double(int16_t id, double v);
  void field_binary(int16_t id, std::string_view v);
  /// Writes the field header and opens the nested struct; close it with `end_struct`.
  void field_struct_begin(int16_t id);
  /// Writes the field header and the list header; then write `n` elements with the `elem_*` calls.
  void field_list_begin(int16_t id, ttype elem, size_t n);

  void elem_i32(int32_t v) { varint(zigzag(v)); }
  void elem_i64(int64_t v) { varint(zigzag(v)); }
  void elem_binary(std::string_view v);
  void elem_bool(bool v) { out_.push_back(v ? 1 : 2); }
  /// Opens a struct that is a list element (or the top-level struct).
  void struct_begin();
  void end_struct();

 private:
  static uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void varint(uint64_t v);
  void field_header(int16_t id, ttype t);

  std::string& out_;
  std::vector<int16_t> stack_;
  int16_t last_id_ = 0;
};

/// A field header read from the stream; `type == ttype::stop` ends the struct.
struct field_header {
  int16_t id = 0;
  ttype type = ttype::stop;
};

struct list_header {
  ttype elem = ttype::stop;
  uint32_t size = 0;
};

/// Reads compact-protocol bytes with sticky failure: after the first problem (truncation, bad type,
/// too deep) every call returns a default value and `next_field` returns stop, so decoding loops end
/// and the caller checks `failed()` once. Never reads past `size`; list sizes are checked against the
/// remaining bytes before anyone allocates for them.
class compact_reader {
 public:
  compact_reader(const uint8_t* data, size_t size, int max_depth = 64) : p_(data), end_(data + size), max_depth_(max_depth) {}

  void struct_begin();
  void struct_end();
  /// The next field of the current struct, or stop at its end (or on failure).
  field_header next_field();

  /// For a bool field the value lives in the header's type.
  bool field_bool(const field_header& h);
  bool elem_bool();
  int8_t read_i8();
  int16_t read_i16() { return static_cast<int16_t>(read_zigzag()); }
  int32_t read_i32();
  int64_t read_i64() { return read_zigzag(); }
  double read_double();
  std::string read_binary();
  list_header read_list();

  /// Skips a value of type `t`; `in_field` says whether a bool carries its value in the header.
  void skip(ttype t, bool in_field = true);

  void fail(std::string why);
  [[nodiscard]] bool failed() const { return failed_; }
  [[nodiscard]] const std::string& failure() const { return why_; }
  [[nodiscard]] size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  [[nodiscard]] const uint8_t* position() const { return p_; }

 private:
  uint64_t read_varint();
  int64_t read_zigzag();
  static bool valid_type(uint8_t t) { return t <= 12; }

  const uint8_t* p_;
  const uint8_t* end_;
  int max_depth_;
  std::vector<int16_t> stack_;
  int16_t last_id_ = 0;
  bool failed_ = false;
  std::string why_;
};

} // namespace freshet::parquet::thrift
