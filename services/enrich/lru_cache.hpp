#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace freshet::enrich {

/// A bounded least-recently-used cache whose entries also expire after a per-entry TTL.
///
/// The clock is injected (milliseconds, monotonic) so tests can move time. Not thread-safe: one
/// owner (the stage actor, through its Redis tables).
template <class K, class V, class Hash = std::hash<K>>
class lru_cache {
 public:
  using clock_fn = std::function<int64_t()>;

  lru_cache(size_t capacity, clock_fn now_ms) : capacity_(capacity < 1 ? 1 : capacity), now_(std::move(now_ms)) {}

  /// The live value for `key`, which becomes the most recently used; an expired entry is dropped
  /// and counts as a miss.
  [[nodiscard]] std::optional<V> get(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++misses_;
      return std::nullopt;
    }
    if (it->second->expires_at <= now_()) {
      order_.erase(it->second);
      index_.erase(it);
      ++misses_;
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second);
    ++hits_;
    return it->second->value;
  }

  /// Inserts or replaces; evicts the least recently used entry when full. `ttl_ms` <= 0 stores nothing.
  void put(const K& key, V value, int64_t ttl_ms) {
    if (ttl_ms <= 0) {
      erase(key);
      return;
    }
    auto expires = now_() + ttl_ms;
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->value = std::move(value);
      it->second->expires_at = expires;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().key);
      order_.pop_back();
      ++evictions_;
    }
    order_.push_front(entry{key, std::move(value), expires});
    index_.emplace(key, order_.begin());
  }

  void erase(const K& key) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  [[nodiscard]] size_t size() const { return index_.size(); }
  [[nodiscard]] size_t capacity() const { return capacity_; }
  [[nodiscard]] uint64_t hits() const { return hits_; }
  [[nodiscard]] uint64_t misses() const { return misses_; }
  [[nodiscard]] uint64_t evictions() const { return evictions_; }

 private:
  struct entry {
    K key;
    V value;
    int64_t expires_at;
  };

  size_t capacity_;
  clock_fn now_;
  std::list<entry> order_; ///< most recently used first
  std::unordered_map<K, typename std::list<entry>::iterator, Hash> index_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
};

} // namespace freshet::enrich
