#pragma once

#include <cstdint>
#include <iterator>
#include <vector>

#include "common/window/window_bounds.hpp"

namespace freshet::window {

/// Fixed, non-overlapping windows of `size_ms`, aligned to the epoch plus `offset_ms`:
/// every event time belongs to exactly one.
class tumbling_assigner {
 public:
  explicit tumbling_assigner(int64_t size_ms, int64_t offset_ms = 0) : size_(size_ms), offset_(offset_ms) {}
  [[nodiscard]] window_bounds assign(int64_t t) const;

 private:
  int64_t size_;
  int64_t offset_;
};

/// Windows of `size_ms` starting every `hop_ms` (aligned to epoch + offset): an event time belongs
/// to ceil(size/hop) or floor(size/hop) of them. hop == size is tumbling.
class hopping_assigner {
 public:
  hopping_assigner(int64_t size_ms, int64_t hop_ms, int64_t offset_ms = 0)
    : size_(size_ms), hop_(hop_ms), offset_(offset_ms) {}
  /// Appends the windows holding `t` to `out`, by ascending start.
  void assign(int64_t t, std::vector<window_bounds>& out) const;
  [[nodiscard]] int64_t max_windows_per_event() const { return (size_ + hop_ - 1) / hop_; }

 private:
  int64_t size_;
  int64_t hop_;
  int64_t offset_;
};

/// Sessions: an event at t opens the proto-window [t, t + gap); proto-windows that overlap are one
/// session. Two events are in one session exactly when a chain of events joins them with every
/// step shorter than the gap. The merging itself lives with the state (see `merge_overlapping`).
class session_assigner {
 public:
  explicit session_assigner(int64_t gap_ms) : gap_(gap_ms) {}
  [[nodiscard]] window_bounds proto(int64_t t) const { return {t, saturating_add(t, gap_)}; }
  [[nodiscard]] int64_t gap() const { return gap_; }

 private:
  int64_t gap_;
};

/// The entries of `windows` (a map from start to a value with a `bounds` member, holding disjoint
/// windows) that overlap `w`, as iterators in ascending order. Sessions are disjoint, so these form
/// one contiguous run: the entry before `w.start` (if it reaches past it) and those starting inside w.
template <class Map>
std::vector<typename Map::iterator> overlapping(Map& windows, const window_bounds& w) {
  std::vector<typename Map::iterator> out;
  auto it = windows.upper_bound(w.start);
  if (it != windows.begin()) {
    auto prev = std::prev(it);
    if (prev->second.bounds.overlaps(w))
      out.push_back(prev);
  }
  for (; it != windows.end() && it->first < w.end; ++it)
    out.push_back(it);
  return out;
}

} // namespace freshet::window
