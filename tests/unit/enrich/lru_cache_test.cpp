// The LRU-with-TTL cache on an injected clock: its rules one by one, then a random workload
// against a naive model.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "services/enrich/lru_cache.hpp"

namespace freshet::enrich {
namespace {

struct fixture {
  int64_t now = 1000;
  lru_cache<std::string, int> cache;
  explicit fixture(size_t capacity) : cache(capacity, [this] { return now; }) {}
};

TEST(lru_cache, evicts_the_least_recently_used) {
  fixture f{2};
  f.cache.put("a", 1, 100);
  f.cache.put("b", 2, 100);
  EXPECT_EQ(f.cache.get("a"), 1); // a is now more recent than b
  f.cache.put("c", 3, 100);
  EXPECT_EQ(f.cache.get("b"), std::nullopt);
  EXPECT_EQ(f.cache.get("a"), 1);
  EXPECT_EQ(f.cache.get("c"), 3);
  EXPECT_EQ(f.cache.size(), 2u);
  EXPECT_EQ(f.cache.evictions(), 1u);
}

TEST(lru_cache, entries_expire_after_their_ttl) {
  fixture f{10};
  f.cache.put("short", 1, 50);
  f.cache.put("long", 2, 500);
  f.now += 49;
  EXPECT_EQ(f.cache.get("short"), 1);
  f.now += 1;
  EXPECT_EQ(f.cache.get("short"), std::nullopt) << "expires exactly at put + ttl";
  EXPECT_EQ(f.cache.size(), 1u) << "an expired entry is dropped when found";
  EXPECT_EQ(f.cache.get("long"), 2);
  f.now += 1000;
  EXPECT_EQ(f.cache.get("long"), std::nullopt);
}

TEST(lru_cache, put_replaces_the_value_and_restarts_the_ttl) {
  fixture f{10};
  f.cache.put("k", 1, 100);
  f.now += 90;
  f.cache.put("k", 2, 100);
  f.now += 90;
  EXPECT_EQ(f.cache.get("k"), 2);
  EXPECT_EQ(f.cache.size(), 1u);
}

TEST(lru_cache, a_zero_ttl_stores_nothing_and_removes_what_was_there) {
  fixture f{10};
  f.cache.put("k", 1, 100);
  f.cache.put("k", 2, 0);
  EXPECT_EQ(f.cache.get("k"), std::nullopt);
  EXPECT_EQ(f.cache.size(), 0u);
}

TEST(lru_cache, counts_hits_and_misses) {
  fixture f{10};
  f.cache.put("k", 1, 100);
  (void) f.cache.get("k");
  (void) f.cache.get("k");
  (void) f.cache.get("other");
  f.now += 100;
  (void) f.cache.get("k");
  EXPECT_EQ(f.cache.hits(), 2u);
  EXPECT_EQ(f.cache.misses(), 2u);
}

/// The model: every entry with its expiry and the time of its last use; eviction picks the
/// oldest use among all entries (expired ones included, as the cache cannot know without looking).
struct model {
  size_t capacity;
  struct entry {
    int value;
    int64_t expires;
    uint64_t used;
  };
  std::map<std::string, entry> entries;
  uint64_t tick = 0;

  std::optional<int> get(const std::string& k, int64_t now) {
    auto it = entries.find(k);
    if (it == entries.end())
      return std::nullopt;
    if (it->second.expires <= now) {
      entries.erase(it);
      return std::nullopt;
    }
    it->second.used = ++tick;
    return it->second.value;
  }
  void put(const std::string& k, int v, int64_t ttl, int64_t now) {
    if (ttl <= 0) {
      entries.erase(k);
      return;
    }
    if (auto it = entries.find(k); it != entries.end()) {
      it->second = {v, now + ttl, ++tick};
      return;
    }
    if (entries.size() >= capacity) {
      auto oldest = entries.begin();
      for (auto it = entries.begin(); it != entries.end(); ++it)
        if (it->second.used < oldest->second.used)
          oldest = it;
      entries.erase(oldest);
    }
    entries[k] = {v, now + ttl, ++tick};
  }
};

TEST(lru_cache, agrees_with_a_naive_model_on_random_workloads) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng{seed};
    size_t capacity = 1 + seed % 7;
    fixture f{capacity};
    model m{capacity, {}, 0};
    for (int step = 0; step < 2000; ++step) {
      std::string key = "k" + std::to_string(std::uniform_int_distribution<int>{0, 11}(rng));
      int op = std::uniform_int_distribution<int>{0, 9}(rng);
      if (op < 5) {
        ASSERT_EQ(f.cache.get(key), m.get(key, f.now)) << "seed " << seed << " step " << step;
      } else if (op < 9) {
        int64_t ttl = std::uniform_int_distribution<int64_t>{-5, 60}(rng);
        f.cache.put(key, step, ttl);
        m.put(key, step, ttl, f.now);
      } else {
        f.now += std::uniform_int_distribution<int64_t>{0, 30}(rng);
      }
      ASSERT_LE(f.cache.size(), capacity);
      ASSERT_EQ(f.cache.size(), m.entries.size()) << "seed " << seed << " step " << step;
    }
  }
}

} // namespace
} // namespace freshet::enrich
