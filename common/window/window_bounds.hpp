#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace freshet::window {

/// Event-time milliseconds. `no_watermark` is "nothing seen yet"; `end_of_time` closes everything.
inline constexpr int64_t no_watermark = std::numeric_limits<int64_t>::min();
inline constexpr int64_t end_of_time = std::numeric_limits<int64_t>::max();

/// A window in event time, half open: [start, end).
struct window_bounds {
  int64_t start = 0;
  int64_t end = 0;

  [[nodiscard]] bool contains(int64_t t) const { return start <= t && t < end; }
  [[nodiscard]] bool overlaps(const window_bounds& o) const { return start < o.end && o.start < end; }
  auto operator<=>(const window_bounds&) const = default;
};

/// a + b, clamped to the int64 range (watermark and deadline arithmetic never wraps).
[[nodiscard]] constexpr int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return r;
}

/// Floor division for possibly negative times (pre-1970 event times are valid).
[[nodiscard]] constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

} // namespace freshet::window
