// One contract, two stores: whatever the in-memory store does, RocksDB must do too.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "common/state/kv_store.hpp"

using freshet::state::kv_store;

namespace {

struct memory_factory {
  std::unique_ptr<kv_store> make() { return freshet::state::make_memory_store(); }
};

struct rocksdb_factory {
  std::string dir;
  std::unique_ptr<kv_store> make() {
    char tmpl[] = "/tmp/freshet-kv-XXXXXX";
    dir = mkdtemp(tmpl);
    auto s = freshet::state::open_rocksdb({dir});
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }
  ~rocksdb_factory() {
    if (!dir.empty())
      std::filesystem::remove_all(dir);
  }
};

template <class Factory>
class kv_contract : public ::testing::Test {
 protected:
  Factory factory;
};

using factories = ::testing::Types<memory_factory, rocksdb_factory>;
TYPED_TEST_SUITE(kv_contract, factories);

std::vector<std::string> keys_with(kv_store& kv, std::string_view prefix) {
  std::vector<std::string> out;
  EXPECT_TRUE(kv.scan(prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k);
    return true;
  }).ok());
  return out;
}

} // namespace

TYPED_TEST(kv_contract, get_put_erase) {
  auto kv = this->factory.make();
  EXPECT_FALSE(kv->get("a")->has_value());
  ASSERT_TRUE(kv->put("a", "1").ok());
  EXPECT_EQ(kv->get("a")->value(), "1");
  ASSERT_TRUE(kv->put("a", "2").ok());
  EXPECT_EQ(kv->get("a")->value(), "2");
  ASSERT_TRUE(kv->erase("a").ok());
  EXPECT_FALSE(kv->get("a")->has_value());
}

TYPED_TEST(kv_contract, values_are_binary_safe) {
  auto kv = this->factory.make();
  std::string key{"k\0ey", 4}, value{"\0\xff\x01", 3};
  ASSERT_TRUE(kv->put(key, value).ok());
  EXPECT_EQ(kv->get(key)->value(), value);
}

TYPED_TEST(kv_contract, a_batch_applies_in_order) {
  auto kv = this->factory.make();
  freshet::state::write_batch b;
  b.put("x", "1");
  b.erase("x");
  b.put("y", "2");
  b.put("y", "3");
  ASSERT_TRUE(kv->write(b).ok());
  EXPECT_FALSE(kv->get("x")->has_value());
  EXPECT_EQ(kv->get("y")->value(), "3");
}

TYPED_TEST(kv_contract, scan_visits_a_prefix_in_byte_order_and_can_stop) {
  auto kv = this->factory.make();
  for (auto k : {"p:b", "p:a", "q:a", "p:c", "o:z"})
    ASSERT_TRUE(kv->put(k, "v").ok());
  EXPECT_EQ(keys_with(*kv, "p:"), (std::vector<std::string>{"p:a", "p:b", "p:c"}));
  int seen = 0;
  ASSERT_TRUE(kv->scan("p:", [&](std::string_view, std::string_view) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TYPED_TEST(kv_contract, clear_removes_everything) {
  auto kv = this->factory.make();
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(kv->put("k" + std::to_string(i), "v").ok());
  ASSERT_TRUE(kv->clear().ok());
  EXPECT_TRUE(keys_with(*kv, "").empty());
}

TYPED_TEST(kv_contract, matches_a_map_under_random_operations) {
  auto kv = this->factory.make();
  std::map<std::string, std::string> oracle;
  std::mt19937 rng{7};
  for (int step = 0; step < 2000; ++step) {
    auto key = "k" + std::to_string(rng() % 64);
    if (rng() % 3 == 0) {
      ASSERT_TRUE(kv->erase(key).ok());
      oracle.erase(key);
    } else {
      auto value = std::to_string(rng());
      ASSERT_TRUE(kv->put(key, value).ok());
      oracle[key] = value;
    }
  }
  std::vector<std::string> expected;
  for (const auto& [k, v] : oracle) {
    expected.push_back(k);
    EXPECT_EQ(kv->get(k)->value(), v);
  }
  EXPECT_EQ(keys_with(*kv, ""), expected);
}
