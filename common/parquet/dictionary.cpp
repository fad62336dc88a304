#include "common/parquet/dictionary.hpp"

#include <cstring>

#include "common/parquet/plain.hpp"

namespace freshet::parquet {
namespace {

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

/// Up to 7 bytes as one word, from at most three loads that may overlap (no call to memcpy with a
/// variable length, which cost more than the hashing of short strings).
uint64_t load_short(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    return a | static_cast<uint64_t>(b) << 32;
  }
  if (n == 0)
    return 0;
  const auto byte = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
  return byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
}

/// Values of a column are mostly short (ids, names, URLs): words are folded in with one multiply
/// each, the last (possibly overlapping) word covers the tail, and `mix` spreads the result over the
/// low bits the table uses.
uint64_t hash_bytes(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xc2b2ae3d27d4eb4full);
  if (n < 8)
    return mix(h ^ load_short(p, n));
  size_t i = 0;
  for (; i + 8 < n; i += 8)
    h = (h ^ load8(p + i)) * 0x100000001b3ull + (h >> 29);
  return mix(h ^ load8(p + n - 8));
}

/// Equal bytes, for the lengths a column usually has without calling memcmp.
bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (load8(a + i) != load8(b + i))
        return false;
    return load8(a + n - 8) == load8(b + n - 8);
  }
  return load_short(a, n) == load_short(b, n);
}

} // namespace

void dictionary::reserve(size_t values) {
  if (count_ != 0 || values * 2 <= slots_.size())
    return;
  size_t slots = 1024;
  while (slots < values * 2)
    slots *= 2;
  slots_.clear();
  grow(slots);
}

void dictionary::grow(size_t min_slots) {
  std::vector<slot> slots(slots_.empty() ? min_slots : slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  const bool bytes = type_ == physical_type::byte_array;
  for (const slot& old : slots_) {
    if (old.index == 0)
      continue;
    size_t s = (bytes ? old.key : mix(old.key)) & mask;
    while (slots[s].index != 0)
      s = (s + 1) & mask;
    slots[s] = old;
  }
  slots_ = std::move(slots);
}

uint32_t dictionary::insert_bytes(std::string_view bytes) {
  if (static_cast<size_t>(count_) * 2 >= slots_.size())
    grow();
  const size_t mask = slots_.size() - 1;
  const uint64_t h = hash_bytes(bytes);
  size_t s = h & mask;
  for (; slots_[s].index != 0; s = (s + 1) & mask) {
    if (slots_[s].key != h)
      continue;
    const uint32_t at = offsets_[slots_[s].index - 1];
    uint32_t n = 0;
    std::memcpy(&n, plain_.data() + at - 4, 4);
    if (n == bytes.size() && same_bytes(plain_.data() + at, bytes.data(), n))
      return slots_[s].index - 1;
  }
  plain_.put<uint32_t>(static_cast<uint32_t>(bytes.size()));
  offsets_.push_back(static_cast<uint32_t>(plain_.size()));
  plain_.append(bytes.data(), bytes.size());
  slots_[s] = {h, ++count_};
  return count_ - 1;
}

uint32_t dictionary::insert_fixed(uint64_t key) {
  if (static_cast<size_t>(count_) * 2 >= slots_.size())
    grow();
  const size_t mask = slots_.size() - 1;
  size_t s = mix(key) & mask;
  for (; slots_[s].index != 0; s = (s + 1) & mask)
    if (slots_[s].key == key)
      return slots_[s].index - 1;
  const bool wide = type_ == physical_type::int64 || type_ == physical_type::double_;
  if (wide)
    plain_.put<uint64_t>(key);
  else
    plain_.put<uint32_t>(static_cast<uint32_t>(key));
  slots_[s] = {key, ++count_};
  return count_ - 1;
}

void dictionary::clear() {
  count_ = 0;
  plain_.clear();
  offsets_.clear();
  slots_.clear();
}

} // namespace freshet::parquet
