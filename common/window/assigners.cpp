#include "common/window/assigners.hpp"

namespace freshet::window {

window_bounds tumbling_assigner::assign(int64_t t) const {
  int64_t start = floor_div(t - offset_, size_) * size_ + offset_;
  return {start, saturating_add(start, size_)};
}

void hopping_assigner::assign(int64_t t, std::vector<window_bounds>& out) const {
  // The last window holding t starts at the latest hop boundary <= t; earlier ones every hop back
  // while they still reach past t.
  int64_t last = floor_div(t - offset_, hop_) * hop_ + offset_;
  int64_t first = last;
  while (first - hop_ > t - size_)
    first -= hop_;
  for (int64_t s = first; s <= last; s += hop_)
    out.push_back({s, saturating_add(s, size_)});
}

} // namespace freshet::window
