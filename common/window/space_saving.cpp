#include "common/window/space_saving.hpp"

#include <algorithm>

#include "common/window/errc.hpp"

namespace freshet::window {

namespace {

bool heavier(const top_k_entry& a, const top_k_entry& b) {
  return a.count != b.count ? a.count > b.count : a.item < b.item;
}

} // namespace

space_saving::space_saving(uint32_t capacity) : capacity_(std::max<uint32_t>(capacity, 1)) {}

uint64_t space_saving::min_count() const {
  return counters_.size() < capacity_ ? 0 : counters_[heap_[0]].count;
}

void space_saving::swap_heap(size_t a, size_t b) {
  std::swap(heap_[a], heap_[b]);
  heap_pos_[heap_[a]] = static_cast<uint32_t>(a);
  heap_pos_[heap_[b]] = static_cast<uint32_t>(b);
}

void space_saving::sift_down(size_t pos) {
  const size_t n = heap_.size();
  while (true) {
    size_t l = 2 * pos + 1;
    if (l >= n)
      return;
    size_t smallest = l;
    if (l + 1 < n && counters_[heap_[l + 1]].count < counters_[heap_[l]].count)
      smallest = l + 1;
    if (counters_[heap_[smallest]].count >= counters_[heap_[pos]].count)
      return;
    swap_heap(pos, smallest);
    pos = smallest;
  }
}

void space_saving::add(std::string_view item, uint64_t weight) {
  if (weight == 0)
    return;
  total_ += weight;
  if (auto it = index_.find(item); it != index_.end()) {
    counters_[it->second].count += weight;
    sift_down(heap_pos_[it->second]);
    return;
  }
  if (counters_.size() < capacity_) {
    auto slot = static_cast<uint32_t>(counters_.size());
    counters_.push_back(top_k_entry{std::string(item), weight, 0});
    index_.emplace(counters_.back().item, slot);
    heap_.push_back(slot);
    heap_pos_.push_back(slot);
    // A new counter starts at weight >= 1 but may be below its parent: sift it up.
    size_t pos = heap_.size() - 1;
    while (pos > 0) {
      size_t parent = (pos - 1) / 2;
      if (counters_[heap_[parent]].count <= counters_[heap_[pos]].count)
        break;
      swap_heap(pos, parent);
      pos = parent;
    }
    return;
  }
  // Full: the item takes over the smallest counter, inheriting its count as possible error.
  uint32_t slot = heap_[0];
  auto& c = counters_[slot];
  index_.erase(c.item);
  uint64_t floor = c.count;
  c.item.assign(item);
  c.error = floor;
  c.count = floor + weight;
  index_.emplace(c.item, slot);
  sift_down(0);
}

status space_saving::merge(const space_saving& other) {
  if (other.capacity_ != capacity_)
    return make_window_error(errc::incompatible_merge, "Space-Saving summaries of different capacity");
  const uint64_t min_this = min_count();
  const uint64_t min_other = other.min_count();
  std::vector<top_k_entry> all;
  all.reserve(counters_.size() + other.counters_.size());
  for (const auto& c : counters_) {
    auto o = other.index_.find(c.item);
    if (o != other.index_.end()) {
      const auto& oc = other.counters_[o->second];
      all.push_back({c.item, c.count + oc.count, c.error + oc.error});
    } else {
      all.push_back({c.item, c.count + min_other, c.error + min_other});
    }
  }
  for (const auto& oc : other.counters_)
    if (index_.find(oc.item) == index_.end())
      all.push_back({oc.item, oc.count + min_this, oc.error + min_this});
  std::sort(all.begin(), all.end(), heavier);
  if (all.size() > capacity_)
    all.resize(capacity_);
  // Heaviest first is a max-order; reversed it is ascending, which is a valid min-heap.
  std::reverse(all.begin(), all.end());
  counters_ = std::move(all);
  total_ += other.total_;
  rebuild_index();
  return {};
}

void space_saving::rebuild_index() {
  index_.clear();
  heap_.resize(counters_.size());
  heap_pos_.resize(counters_.size());
  for (uint32_t i = 0; i < counters_.size(); ++i) {
    heap_[i] = i;
    heap_pos_[i] = i;
    index_.emplace(counters_[i].item, i);
  }
}

std::vector<top_k_entry> space_saving::top(size_t k) const {
  std::vector<top_k_entry> out(counters_);
  std::sort(out.begin(), out.end(), heavier);
  if (out.size() > k)
    out.resize(k);
  return out;
}

std::optional<top_k_entry> space_saving::find(std::string_view item) const {
  auto it = index_.find(item);
  if (it == index_.end())
    return std::nullopt;
  return counters_[it->second];
}

void space_saving::encode(byte_writer& out) const {
  // In heap order, so that a decoded summary continues exactly like this one.
  out.varint(capacity_);
  out.varint(total_);
  out.varint(heap_.size());
  for (uint32_t slot : heap_) {
    const auto& c = counters_[slot];
    out.bytes(c.item);
    out.varint(c.count);
    out.varint(c.error);
  }
}

status space_saving::decode(byte_reader& in) {
  auto capacity = in.varint();
  auto total = in.varint();
  auto n = in.count(3);
  if (in.ok() && (capacity == 0 || capacity > (1u << 24) || n > capacity))
    in.fail(errc::invalid_state);
  std::vector<top_k_entry> counters;
  counters.reserve(in.ok() ? n : 0);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    top_k_entry c;
    c.item = std::string(in.bytes());
    c.count = in.varint();
    c.error = in.varint();
    if (c.error >= c.count && c.count != 0)
      in.fail(errc::invalid_state);
    sum += c.count;
    counters.push_back(std::move(c));
  }
  FRESHET_TRY(in.check("Space-Saving summary"));
  if (sum > total)
    return make_window_error(errc::invalid_state, "Space-Saving counts exceed the total");
  space_saving s(static_cast<uint32_t>(capacity));
  s.total_ = total;
  s.counters_ = std::move(counters);
  s.rebuild_index();
  if (s.index_.size() != s.counters_.size())
    return make_window_error(errc::invalid_state, "Space-Saving item listed twice");
  for (size_t i = 1; i < s.heap_.size(); ++i)
    if (s.counters_[s.heap_[(i - 1) / 2]].count > s.counters_[s.heap_[i]].count)
      return make_window_error(errc::invalid_state, "Space-Saving counters out of heap order");
  *this = std::move(s);
  return {};
}

} // namespace freshet::window
