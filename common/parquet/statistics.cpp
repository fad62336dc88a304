#include "common/parquet/statistics.hpp"

#include <cmath>
#include <cstring>

#include "common/parquet/plain.hpp"

namespace freshet::parquet {

void stats_accumulator::add(const value& v) {
  switch (type_) {
    case physical_type::boolean:
    case physical_type::int32:
    case physical_type::int64: {
      const int64_t x = v.as_int64();
      if (!has_ || x < imin_)
        imin_ = x;
      if (!has_ || x > imax_)
        imax_ = x;
      break;
    }
    case physical_type::float_:
    case physical_type::double_: add_double(v.as_double()); return;
    default: add_bytes(v.as_bytes()); return;
  }
  has_ = true;
}

namespace {

template <class T>
void int_range(const char* p, size_t n, int64_t& lo, int64_t& hi) {
  T mn, mx;
  std::memcpy(&mn, p, sizeof(T));
  mx = mn;
  for (size_t i = 1; i < n; ++i) {
    T x;
    std::memcpy(&x, p + i * sizeof(T), sizeof(T));
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
  }
  lo = mn;
  hi = mx;
}

} // namespace

void stats_accumulator::add_plain(const char* p, size_t n) {
  if (n == 0)
    return;
  switch (type_) {
    case physical_type::int32:
    case physical_type::int64: {
      int64_t lo = 0, hi = 0;
      if (type_ == physical_type::int32)
        int_range<int32_t>(p, n, lo, hi);
      else
        int_range<int64_t>(p, n, lo, hi);
      add_range(lo, hi);
      return;
    }
    case physical_type::float_:
    case physical_type::double_: {
      const bool single = type_ == physical_type::float_;
      for (size_t i = 0; i < n; ++i) {
        double x;
        if (single) {
          float f;
          std::memcpy(&f, p + i * 4, 4);
          x = f;
        } else {
          std::memcpy(&x, p + i * 8, 8);
        }
        add_double(x);
      }
      return;
    }
    default: return;
  }
}

void stats_accumulator::add_double(double x) {
  // NaNs are counted and take no part in min/max; the first of equal values (-0.0, 0.0) is kept.
  if (std::isnan(x)) {
    ++nans_;
    return;
  }
  if (!has_ || x < dmin_)
    dmin_ = x;
  if (!has_ || x > dmax_)
    dmax_ = x;
  has_ = true;
}

statistics stats_accumulator::finish(size_t max_value_size) const {
  statistics s;
  s.null_count = nulls_;
  const bool floating = type_ == physical_type::float_ || type_ == physical_type::double_;
  if (floating)
    s.nan_count = nans_;
  if (!has_)
    return s;
  std::string lo, hi;
  switch (type_) {
    case physical_type::boolean:
      lo.push_back(imin_ ? 1 : 0);
      hi.push_back(imax_ ? 1 : 0);
      break;
    case physical_type::int32:
      put_le<int32_t>(static_cast<int32_t>(imin_), lo);
      put_le<int32_t>(static_cast<int32_t>(imax_), hi);
      break;
    case physical_type::int64:
      put_le<int64_t>(imin_, lo);
      put_le<int64_t>(imax_, hi);
      break;
    case physical_type::float_:
    case physical_type::double_: {
      // The spec's rule for TYPE_ORDER: a zero minimum is written -0.0 and a zero maximum +0.0.
      const double mn = dmin_ == 0 ? -0.0 : dmin_;
      const double mx = dmax_ == 0 ? +0.0 : dmax_;
      if (type_ == physical_type::float_) {
        put_le<float>(static_cast<float>(mn), lo);
        put_le<float>(static_cast<float>(mx), hi);
      } else {
        put_le<double>(mn, lo);
        put_le<double>(mx, hi);
      }
      break;
    }
    default:
      if (smin_.size() > max_value_size || smax_.size() > max_value_size)
        return s;
      lo = smin_;
      hi = smax_;
  }
  // Byte arrays order unsigned, which the deprecated (signed) fields cannot express.
  if (type_ != physical_type::byte_array && type_ != physical_type::fixed_len_byte_array) {
    s.min = lo;
    s.max = hi;
  }
  s.min_value = std::move(lo);
  s.max_value = std::move(hi);
  s.is_min_value_exact = true;
  s.is_max_value_exact = true;
  return s;
}

void stats_accumulator::reset() {
  nulls_ = nans_ = 0;
  has_ = false;
  smin_.clear();
  smax_.clear();
}

column_statistics decode_statistics(const column_descriptor& c, const statistics& s, std::optional<column_order> order) {
  column_statistics out;
  out.null_count = s.null_count;
  out.nan_count = s.nan_count;
  out.distinct_count = s.distinct_count;
  const bool signed_order = c.physical != physical_type::byte_array && c.physical != physical_type::fixed_len_byte_array &&
                            c.physical != physical_type::int96;
  const std::optional<std::string>* lo = nullptr;
  const std::optional<std::string>* hi = nullptr;
  if (order == column_order::type_defined && s.min_value && s.max_value) {
    lo = &s.min_value;
    hi = &s.max_value;
  } else if (signed_order && s.min && s.max) {
    lo = &s.min;
    hi = &s.max;
  }
  if (lo && hi) {
    auto mn = decode_stat_value(c, **lo);
    auto mx = decode_stat_value(c, **hi);
    const bool nan = mn && mx && (mn->type() == value::kind::float32 || mn->type() == value::kind::float64) &&
                     (std::isnan(mn->as_double()) || std::isnan(mx->as_double()));
    if (mn && mx && !nan) {
      out.min = std::move(mn);
      out.max = std::move(mx);
    }
  }
  return out;
}

} // namespace freshet::parquet
