// serving::count_store against a real Redis: add/read round trip, ranges, stream filter, layout, TTL.
#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "common/redis/client.hpp"
#include "common/serving/count_store.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
using freshet::serving::count_store;

namespace {

constexpr int64_t minute = 60'000;

using row = std::tuple<int64_t, std::string, int64_t>;

/// Rows sorted by (window, stream): HGETALL gives a window's streams in no fixed order.
std::vector<row> rows(const std::vector<count_store::window_count>& in) {
  std::vector<row> out;
  for (const auto& w : in)
    out.emplace_back(w.window_start_ms, w.stream, w.count);
  std::sort(out.begin(), out.end());
  return out;
}

class count_store_test : public ::testing::Test {
 protected:
  freshet::redis::client redis{fs::stack::redis_address()};
  std::string pipeline = "p" + std::to_string(std::random_device{}());
  count_store store{redis, pipeline, minute, 3600};
  std::string prefix = "freshet:" + pipeline + ":counts";
};

TEST_F(count_store_test, counts_add_up_and_read_back_oldest_first) {
  ASSERT_TRUE(store.add({{{0, "page_view"}, 3}, {{0, "purchase"}, 2}, {{minute, "page_view"}, 5}}).ok());
  ASSERT_TRUE(store.add({{{0, "page_view"}, 1}, {{2 * minute, "add_to_cart"}, 7}}).ok());
  auto all = store.read(0, 3 * minute);
  ASSERT_TRUE(all.ok()) << all.err().describe();
  EXPECT_EQ(rows(*all), (std::vector<row>{{0, "page_view", 4},
                                          {0, "purchase", 2},
                                          {minute, "page_view", 5},
                                          {2 * minute, "add_to_cart", 7}}));
  ASSERT_EQ(all->size(), 4u);
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end(),
                             [](const auto& a, const auto& b) { return a.window_start_ms < b.window_start_ms; }));
}

TEST_F(count_store_test, the_range_is_half_open) {
  ASSERT_TRUE(store.add({{{0, "s"}, 1}, {{minute, "s"}, 2}, {{2 * minute, "s"}, 3}}).ok());
  EXPECT_EQ(rows(*store.read(minute, 2 * minute)), (std::vector<row>{{minute, "s", 2}}));
  EXPECT_EQ(rows(*store.read(minute, 2 * minute + 1)), (std::vector<row>{{minute, "s", 2}, {2 * minute, "s", 3}}));
  EXPECT_EQ(rows(*store.read(1, minute)), std::vector<row>{});
  EXPECT_EQ(rows(*store.read(-10 * minute, 10 * minute)).size(), 3u);
  EXPECT_TRUE(store.read(5 * minute, 6 * minute)->empty());
}

TEST_F(count_store_test, stream_filter_keeps_only_that_stream) {
  ASSERT_TRUE(store.add({{{0, "a"}, 1}, {{0, "b"}, 2}, {{minute, "b"}, 3}, {{minute, "c"}, 4}}).ok());
  EXPECT_EQ(rows(*store.read(0, 2 * minute, "b")), (std::vector<row>{{0, "b", 2}, {minute, "b", 3}}));
  EXPECT_EQ(rows(*store.read(0, 2 * minute, "a")), (std::vector<row>{{0, "a", 1}}));
  EXPECT_TRUE(store.read(0, 2 * minute, "nope")->empty());
}

TEST_F(count_store_test, negative_and_real_window_starts_round_trip) {
  const int64_t now_window = store.window_start(1'764'053'045'123);
  ASSERT_TRUE(store.add({{{-minute, "old"}, 1}, {{now_window, "new"}, 2}}).ok());
  EXPECT_EQ(rows(*store.read(-2 * minute, 0)), (std::vector<row>{{-minute, "old", 1}}));
  EXPECT_EQ(rows(*store.read(now_window, now_window + minute)), (std::vector<row>{{now_window, "new", 2}}));
}

TEST_F(count_store_test, layout_is_a_hash_per_window_with_a_ttl_and_a_sorted_index) {
  ASSERT_TRUE(store.add({{{minute, "page_view"}, 9}}).ok());
  auto hash = prefix + ":" + std::to_string(minute);
  EXPECT_EQ(redis.command({"HGET", hash, "page_view"})->str, "9");
  auto ttl = redis.command({"TTL", hash});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 3600);
  auto score = redis.command({"ZSCORE", prefix + ":index", std::to_string(minute)});
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(std::stoll(score->str), minute);
}

TEST_F(count_store_test, a_later_add_refreshes_the_ttl) {
  ASSERT_TRUE(store.add({{{0, "s"}, 1}}).ok());
  auto hash = prefix + ":0";
  ASSERT_TRUE(redis.command({"EXPIRE", hash, "5"}).ok());
  ASSERT_TRUE(store.add({{{0, "s"}, 1}}).ok());
  EXPECT_GT(redis.command({"TTL", hash})->integer, 5);
}

TEST_F(count_store_test, empty_add_writes_nothing_and_an_empty_store_reads_empty) {
  ASSERT_TRUE(store.add({}).ok());
  EXPECT_EQ(redis.command({"EXISTS", prefix + ":index"})->integer, 0);
  auto r = store.read(0, 100 * minute);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_F(count_store_test, pipelines_do_not_see_each_other) {
  count_store other{redis, pipeline + "-other", minute};
  ASSERT_TRUE(store.add({{{0, "s"}, 1}}).ok());
  ASSERT_TRUE(other.add({{{0, "s"}, 100}}).ok());
  EXPECT_EQ(rows(*store.read(0, minute)), (std::vector<row>{{0, "s", 1}}));
  EXPECT_EQ(rows(*other.read(0, minute)), (std::vector<row>{{0, "s", 100}}));
}

TEST(count_store, redis_errors_are_reported) {
  freshet::redis::client down{"127.0.0.1:" + std::to_string(fs::free_ports(1)[0]), 500};
  count_store store{down, "p", minute};
  auto st = store.add({{{0, "s"}, 1}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().domain, freshet::error_domain::redis);
  EXPECT_FALSE(store.read(0, minute).ok());
}

} // namespace
