#pragma once

#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The row model the writer takes and the reader returns: a small variant that nests. Its kind follows
/// the physical representation; the schema says what it means (a `date` is an int32 of days since
/// 1970-01-01, a `timestamp_us` an int64 of microseconds since the epoch, UTC; `string` and `binary`
/// are both bytes).
namespace freshet::parquet {

class value {
 public:
  enum class kind : uint8_t { null, boolean, int32, int64, float32, float64, bytes, list, map, struct_ };

  value() {}
  value(const value& other) { copy_from(other); }
  value(value&& other) noexcept { move_from(std::move(other)); }
  value& operator=(const value& other) {
    if (this != &other) {
      destroy();
      copy_from(other);
    }
    return *this;
  }
  value& operator=(value&& other) noexcept {
    if (this != &other) {
      destroy();
      move_from(std::move(other));
    }
    return *this;
  }
  ~value() { destroy(); }

  static value boolean(bool v) { return scalar(kind::boolean, v ? 1 : 0); }
  static value int32(int32_t v) { return scalar(kind::int32, v); }
  static value int64(int64_t v) { return scalar(kind::int64, v); }
  static value float32(float v);
  static value float64(double v);
  static value bytes(std::string v);
  static value list(std::vector<value> items);
  /// Entries in order; keys must not be null.
  static value map(std::vector<std::pair<value, value>> entries);
  /// Members in the order of the schema's struct children.
  static value struct_(std::vector<value> members);
  /// A map from keys and values interleaved (k0, v0, k1, v1, ...); an odd size drops the last.
  static value map_interleaved(std::vector<value> keys_and_values);

  [[nodiscard]] kind type() const { return kind_; }
  [[nodiscard]] bool is_null() const { return kind_ == kind::null; }
  [[nodiscard]] bool as_bool() const { return i_ != 0; }
  [[nodiscard]] int32_t as_int32() const { return static_cast<int32_t>(i_); }
  [[nodiscard]] int64_t as_int64() const { return i_; }
  [[nodiscard]] float as_float() const { return static_cast<float>(d_); }
  [[nodiscard]] double as_double() const { return d_; }
  /// The bytes of a `bytes` value; empty for any other kind.
  [[nodiscard]] const std::string& as_bytes() const { return kind_ == kind::bytes ? s_ : empty_bytes(); }
  /// List items, or struct members (map keys and values interleaved); empty for scalars.
  [[nodiscard]] const std::vector<value>& items() const { return has_items() ? items_ : empty_items(); }
  [[nodiscard]] size_t map_size() const { return items_.size() / 2; }
  [[nodiscard]] const value& map_key(size_t i) const { return items_[2 * i]; }
  [[nodiscard]] const value& map_value(size_t i) const { return items_[2 * i + 1]; }

  /// Structural equality; floats compare by bit pattern so NaN equals itself.
  friend bool operator==(const value& a, const value& b);
  /// A readable rendering for test failures and tools.
  [[nodiscard]] std::string to_string() const;

 private:
  static value scalar(kind k, int64_t v) {
    value out;
    out.kind_ = k;
    out.i_ = v;
    return out;
  }
  [[nodiscard]] bool has_items() const { return kind_ == kind::list || kind_ == kind::map || kind_ == kind::struct_; }
  static const std::string& empty_bytes();
  static const std::vector<value>& empty_items();
  void copy_from(const value& other);
  void move_from(value&& other) noexcept;
  void destroy() noexcept;

  kind kind_ = kind::null;
  int64_t i_ = 0;
  double d_ = 0;
  // A value is bytes or a container, never both: sharing the storage makes a value 56 bytes instead
  // of 80, and rows are arrays of values the writer streams through once per row.
  union {
    std::string s_;            // kind::bytes
    std::vector<value> items_; // list items, struct members, or map keys and values interleaved
  };
};

inline void value::copy_from(const value& other) {
  kind_ = other.kind_;
  i_ = other.i_;
  d_ = other.d_;
  if (kind_ == kind::bytes)
    new (&s_) std::string(other.s_);
  else if (has_items())
    new (&items_) std::vector<value>(other.items_);
}

inline void value::move_from(value&& other) noexcept {
  kind_ = other.kind_;
  i_ = other.i_;
  d_ = other.d_;
  if (kind_ == kind::bytes)
    new (&s_) std::string(std::move(other.s_));
  else if (has_items())
    new (&items_) std::vector<value>(std::move(other.items_));
}

inline void value::destroy() noexcept {
  if (kind_ == kind::bytes)
    s_.~basic_string();
  else if (has_items())
    items_.~vector();
  kind_ = kind::null;
}

/// One row: a value per top-level field, in schema order.
using row = std::vector<value>;

} // namespace freshet::parquet
