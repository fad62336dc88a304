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

uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail);
}

} // namespace

void dictionary::grow() {
  std::vector<slot> slots(slots_.empty() ? 1024 : slots_.size() * 2);
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
    if (n == bytes.size() && std::memcmp(plain_.data() + at, bytes.data(), n) == 0)
      return slots_[s].index - 1;
  }
  put_le<uint32_t>(static_cast<uint32_t>(bytes.size()), plain_);
  offsets_.push_back(static_cast<uint32_t>(plain_.size()));
  plain_.append(bytes);
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
  char b[8];
  std::memcpy(b, &key, 8);
  plain_.append(b, wide ? 8 : 4);
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
