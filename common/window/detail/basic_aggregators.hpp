#pragma once

// The exact aggregators: count, sum, min, max, avg. Internal: made through make_aggregator().

#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "common/window/aggregator.hpp"

namespace freshet::window::detail {

/// An exact sum: integers add in int64 (falling back to double only on overflow), reals in double.
struct exact_sum {
  int64_t ints = 0;
  double reals = 0;
  uint64_t n = 0;
  bool has_real = false;
  bool overflowed = false;

  void add(const field_value& v);
  void merge(const exact_sum& o);
  [[nodiscard]] bool integral() const { return !has_real && !overflowed; }
  [[nodiscard]] double total() const { return static_cast<double>(ints) + reals; }
  void encode(byte_writer& out) const;
  void decode(byte_reader& in);

 private:
  void add_int(int64_t v);
};

/// An integer or a real, compared exactly across the two.
struct number {
  int64_t i = 0;
  double d = 0;
  bool integral = true;

  [[nodiscard]] bool less(const number& o) const;
  [[nodiscard]] agg_value value() const { return integral ? agg_value{i} : agg_value{d}; }
};

/// Size and alignment of an aggregator object.
struct footprint {
  size_t size = 0;
  size_t align = 1;
};

/// Places T at `at`, or on the heap when `at` is null.
template <class T, class... Args>
aggregator* place(void* at, Args&&... args) {
  if (at != nullptr)
    return new (at) T(std::forward<Args>(args)...);
  return new T(std::forward<Args>(args)...);
}

/// count, sum, min, max, avg.
[[nodiscard]] footprint basic_footprint(agg_kind k);
aggregator* construct_basic(void* at, const aggregation_spec& spec);

} // namespace freshet::window::detail
