#include "common/parquet/thrift_compact.hpp"

#include <cstring>

namespace freshet::parquet::thrift {

// ---- writer -------------------------------------------------------------------------------------

void compact_writer::varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void compact_writer::field_header(int16_t id, ttype t) {
  const int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(t)));
  } else {
    out_.push_back(static_cast<char>(t));
    varint(zigzag(id));
  }
  last_id_ = id;
}

void compact_writer::field_bool(int16_t id, bool v) { field_header(id, v ? ttype::bool_true : ttype::bool_false); }

void compact_writer::field_i8(int16_t id, int8_t v) {
  field_header(id, ttype::byte);
  out_.push_back(static_cast<char>(v));
}

void compact_writer::field_i16(int16_t id, int16_t v) {
  field_header(id, ttype::i16);
  varint(zigzag(v));
}

void compact_writer::field_i32(int16_t id, int32_t v) {
  field_header(id, ttype::i32);
  varint(zigzag(v));
}

void compact_writer::field_i64(int16_t id, int64_t v) {
  field_header(id, ttype::i64);
  varint(zigzag(v));
}

void compact_writer::field_double(int16_t id, double v) {
  field_header(id, ttype::double_);
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  for (int i = 0; i < 8; ++i)
    out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void compact_writer::field_binary(int16_t id, std::string_view v) {
  field_header(id, ttype::binary);
  elem_binary(v);
}

void compact_writer::elem_binary(std::string_view v) {
  varint(v.size());
  out_.append(v);
}

void compact_writer::field_struct_begin(int16_t id) {
  field_header(id, ttype::struct_);
  struct_begin();
}

void compact_writer::field_list_begin(int16_t id, ttype elem, size_t n) {
  field_header(id, ttype::list);
  if (n < 15) {
    out_.push_back(static_cast<char>((n << 4) | static_cast<size_t>(elem)));
  } else {
    out_.push_back(static_cast<char>(0xf0 | static_cast<int>(elem)));
    varint(n);
  }
}

void compact_writer::struct_begin() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void compact_writer::end_struct() {
  out_.push_back(0);
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

// ---- reader -------------------------------------------------------------------------------------

void compact_reader::fail(std::string why) {
  if (!failed_) {
    failed_ = true;
    why_ = std::move(why);
  }
  p_ = end_;
}

uint64_t compact_reader::read_varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) {
      fail("thrift: truncated varint");
      return 0;
    }
    const uint8_t b = *p_++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  fail("thrift: varint longer than 10 bytes");
  return 0;
}

int64_t compact_reader::read_zigzag() {
  const uint64_t u = read_varint();
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

int32_t compact_reader::read_i32() {
  const int64_t v = read_zigzag();
  if (v < INT32_MIN || v > INT32_MAX) {
    fail("thrift: i32 out of range");
    return 0;
  }
  return static_cast<int32_t>(v);
}

int8_t compact_reader::read_i8() {
  if (p_ >= end_) {
    fail("thrift: truncated byte");
    return 0;
  }
  return static_cast<int8_t>(*p_++);
}

double compact_reader::read_double() {
  if (remaining() < 8) {
    fail("thrift: truncated double");
    return 0;
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits |= static_cast<uint64_t>(p_[i]) << (8 * i);
  p_ += 8;
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string compact_reader::read_binary() {
  const uint64_t n = read_varint();
  if (failed_)
    return {};
  if (n > remaining()) {
    fail("thrift: binary longer than the remaining bytes");
    return {};
  }
  std::string s(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
  p_ += n;
  return s;
}

bool compact_reader::field_bool(const field_header& h) {
  if (h.type == ttype::bool_true)
    return true;
  if (h.type == ttype::bool_false)
    return false;
  fail("thrift: field is not a bool");
  return false;
}

bool compact_reader::elem_bool() { return read_i8() == 1; }

list_header compact_reader::read_list() {
  if (p_ >= end_) {
    fail("thrift: truncated list header");
    return {};
  }
  const uint8_t b = *p_++;
  list_header h;
  h.elem = static_cast<ttype>(b & 0x0f);
  uint64_t size = b >> 4;
  if (size == 15)
    size = read_varint();
  if (!valid_type(b & 0x0f) || h.elem == ttype::stop) {
    fail("thrift: bad list element type");
    return {};
  }
  // Every element takes at least one byte, so a size beyond the remaining bytes is a lie.
  if (size > remaining()) {
    fail("thrift: list size beyond the remaining bytes");
    return {};
  }
  h.size = static_cast<uint32_t>(size);
  return h;
}

void compact_reader::struct_begin() {
  if (static_cast<int>(stack_.size()) >= max_depth_) {
    fail("thrift: structs nested too deeply");
    return;
  }
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void compact_reader::struct_end() {
  if (!stack_.empty()) {
    last_id_ = stack_.back();
    stack_.pop_back();
  }
}

field_header compact_reader::next_field() {
  if (failed_)
    return {};
  if (p_ >= end_) {
    fail("thrift: truncated struct");
    return {};
  }
  const uint8_t b = *p_++;
  if (b == 0)
    return {};
  const uint8_t type = b & 0x0f;
  if (!valid_type(type) || type == 0) {
    fail("thrift: bad field type");
    return {};
  }
  field_header h;
  h.type = static_cast<ttype>(type);
  const int delta = b >> 4;
  if (delta != 0) {
    h.id = static_cast<int16_t>(last_id_ + delta);
  } else {
    h.id = read_i16();
  }
  last_id_ = h.id;
  return h;
}

void compact_reader::skip(ttype t, bool in_field) {
  if (failed_)
    return;
  switch (t) {
    case ttype::bool_true:
    case ttype::bool_false:
      if (!in_field)
        read_i8();
      return;
    case ttype::byte: read_i8(); return;
    case ttype::i16:
    case ttype::i32:
    case ttype::i64: read_varint(); return;
    case ttype::double_:
      if (remaining() < 8)
        fail("thrift: truncated double");
      else
        p_ += 8;
      return;
    case ttype::binary: {
      const uint64_t n = read_varint();
      if (n > remaining())
        fail("thrift: truncated binary");
      else
        p_ += n;
      return;
    }
    case ttype::list:
    case ttype::set: {
      const list_header h = read_list();
      for (uint32_t i = 0; i < h.size && !failed_; ++i)
        skip(h.elem, false);
      return;
    }
    case ttype::map: {
      const uint64_t n = read_varint();
      if (n == 0)
        return;
      if (n > remaining()) {
        fail("thrift: map size beyond the remaining bytes");
        return;
      }
      const uint8_t kv = static_cast<uint8_t>(read_i8());
      const uint8_t k = kv >> 4;
      const uint8_t v = kv & 0x0f;
      if (!valid_type(k) || !valid_type(v) || k == 0 || v == 0) {
        fail("thrift: bad map types");
        return;
      }
      for (uint64_t i = 0; i < n && !failed_; ++i) {
        skip(static_cast<ttype>(k), false);
        skip(static_cast<ttype>(v), false);
      }
      return;
    }
    case ttype::struct_: {
      struct_begin();
      for (field_header h = next_field(); h.type != ttype::stop; h = next_field())
        skip(h.type, true);
      struct_end();
      return;
    }
    case ttype::stop: fail("thrift: unexpected stop"); return;
  }
  fail("thrift: unknown type");
}

} // namespace freshet::parquet::thrift
