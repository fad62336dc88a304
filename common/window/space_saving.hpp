#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.hpp"
#include "common/window/bytes.hpp"
#include "common/window/value.hpp"

namespace freshet::window {

/// Space-Saving heavy hitters (Metwally, Agrawal, El Abbadi: "Efficient Computation of Frequent
/// and Top-k Elements in Data Streams", ICDT 2005) with `capacity` = m counters.
///
/// Each monitored item has a count c and an error e with c − e ≤ f ≤ c (f = its true frequency), and
/// e ≤ min counter ≤ N / m after N values; an unmonitored item has f ≤ min counter ≤ N / m. So every
/// item with f > N / m is monitored, and every reported count overestimates by at most N / m.
///
/// Mergeable (the parallel Space-Saving merge of Cafaro, Pulimeno, Tempesta 2016): an item's count
/// in the merge is the sum of its counts, taking the other summary's minimum counter for a summary
/// that does not monitor it (0 if that summary is not full); errors add the same way; the m largest
/// stay. The bounds above keep holding with N = N1 + N2: the kept counts sum to at most N1 + N2.
///
/// Ties are broken by item text, so reports are deterministic. Not thread-safe.
class space_saving {
 public:
  explicit space_saving(uint32_t capacity);

  void add(std::string_view item, uint64_t weight = 1);
  /// `incompatible_merge` unless both have the same capacity.
  [[nodiscard]] status merge(const space_saving& other);
  /// The k items with the highest counts (ties: by item), heaviest first.
  [[nodiscard]] std::vector<top_k_entry> top(size_t k) const;
  /// The counter of `item`, if monitored.
  [[nodiscard]] std::optional<top_k_entry> find(std::string_view item) const;

  [[nodiscard]] uint32_t capacity() const { return capacity_; }
  [[nodiscard]] uint64_t total() const { return total_; }
  [[nodiscard]] size_t size() const { return counters_.size(); }
  /// The smallest counter when full (an upper bound on any unmonitored item's frequency), else 0.
  [[nodiscard]] uint64_t min_count() const;

  void encode(byte_writer& out) const;
  [[nodiscard]] status decode(byte_reader& in);

 private:
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  void sift_down(size_t pos);
  void swap_heap(size_t a, size_t b);
  void rebuild_index();

  uint32_t capacity_;
  uint64_t total_ = 0;
  std::vector<top_k_entry> counters_; // slot-indexed, never reordered except by merge/decode
  std::vector<uint32_t> heap_;        // min-heap of slots by count
  std::vector<uint32_t> heap_pos_;    // slot -> position in heap_
  std::unordered_map<std::string, uint32_t, string_hash, std::equal_to<>> index_; // item -> slot
};

} // namespace freshet::window
