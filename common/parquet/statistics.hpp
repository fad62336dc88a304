#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/parquet/metadata.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

/// Column-chunk statistics: gathered by the writer (min/max by the column's type-defined order, null
/// and NaN counts) and decoded by the reader only when their order is known, so a query can skip files.
namespace freshet::parquet {

class stats_accumulator {
 public:
  explicit stats_accumulator(const column_descriptor& c) : type_(c.physical) {}

  void add_null() { ++nulls_; }
  void add_nulls(int64_t n) { nulls_ += n; }
  void add(const value& v);
  /// `n` PLAIN-encoded values of a fixed-width column (int32, int64, float, double): a page's staged
  /// values or a dictionary's new entries, in one loop rather than a call per value.
  void add_plain(const char* p, size_t n);
  /// Integers (booleans as 0/1) whose least and greatest are `lo` and `hi`.
  void add_range(int64_t lo, int64_t hi) {
    if (!has_ || lo < imin_)
      imin_ = lo;
    if (!has_ || hi > imax_)
      imax_ = hi;
    has_ = true;
  }
  /// A byte-array value by its bytes (the column writer feeds each distinct value of a dictionary once).
  void add_bytes(std::string_view s) {
    if (!has_ || s < std::string_view{smin_}) // string_view compares as unsigned bytes
      smin_.assign(s);
    if (!has_ || s > std::string_view{smax_})
      smax_.assign(s);
    has_ = true;
  }
  /// Encodes what was gathered; min/max are omitted for byte arrays longer than `max_value_size`.
  [[nodiscard]] statistics finish(size_t max_value_size) const;
  void reset();

 private:
  void add_double(double x);
  physical_type type_;
  int64_t nulls_ = 0;
  int64_t nans_ = 0;
  bool has_ = false;
  int64_t imin_ = 0, imax_ = 0;
  double dmin_ = 0, dmax_ = 0;
  std::string smin_, smax_;
};

/// Statistics as the reader offers them. `min`/`max` are set only when trustworthy: the footer's
/// `column_orders` says TYPE_ORDER and `min_value`/`max_value` are present, or (for columns whose order
/// is signed, i.e. not byte arrays) the deprecated `min`/`max` are.
struct column_statistics {
  std::optional<value> min;
  std::optional<value> max;
  std::optional<int64_t> null_count;
  std::optional<int64_t> nan_count;
  std::optional<int64_t> distinct_count;
};

[[nodiscard]] column_statistics decode_statistics(const column_descriptor& c, const statistics& s, std::optional<column_order> order);

} // namespace freshet::parquet
