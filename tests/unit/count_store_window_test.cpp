// serving::count_store::window_start: tumbling-window arithmetic (no Redis is contacted).
#include <cstdint>

#include <gtest/gtest.h>

#include "common/redis/client.hpp"
#include "common/serving/count_store.hpp"

namespace {

using freshet::serving::count_store;

class window_start_test : public ::testing::Test {
 protected:
  freshet::redis::client unused{"127.0.0.1:1"}; // never connected: window_start is pure arithmetic
};

TEST_F(window_start_test, positive_timestamps_round_down) {
  count_store store{unused, "p", 60'000};
  EXPECT_EQ(store.window_ms(), 60'000);
  EXPECT_EQ(store.window_start(0), 0);
  EXPECT_EQ(store.window_start(1), 0);
  EXPECT_EQ(store.window_start(59'999), 0);
  EXPECT_EQ(store.window_start(60'000), 60'000);
  EXPECT_EQ(store.window_start(60'001), 60'000);
  EXPECT_EQ(store.window_start(1'764'053'045'123), 1'764'053'040'000);
}

TEST_F(window_start_test, negative_timestamps_round_towards_minus_infinity) {
  count_store store{unused, "p", 60'000};
  EXPECT_EQ(store.window_start(-1), -60'000);
  EXPECT_EQ(store.window_start(-59'999), -60'000);
  EXPECT_EQ(store.window_start(-60'000), -60'000);
  EXPECT_EQ(store.window_start(-60'001), -120'000);
}

TEST_F(window_start_test, every_timestamp_lies_in_its_window_for_several_sizes) {
  for (int64_t w : {1LL, 7LL, 1000LL, 60'000LL, 3'600'000LL}) {
    count_store store{unused, "p", w};
    for (int64_t ts = -3 * w - 5; ts <= 3 * w + 5; ts += (w > 100 ? w / 7 + 1 : 1)) {
      auto s = store.window_start(ts);
      ASSERT_LE(s, ts) << "w=" << w << " ts=" << ts;
      ASSERT_LT(ts, s + w) << "w=" << w << " ts=" << ts;
      ASSERT_EQ(s % w, 0) << "w=" << w << " ts=" << ts;
    }
  }
}

TEST_F(window_start_test, window_of_one_millisecond_is_the_identity) {
  count_store store{unused, "p", 1};
  for (int64_t ts : {-1001LL, -1LL, 0LL, 1LL, 123'456'789LL})
    EXPECT_EQ(store.window_start(ts), ts);
}

} // namespace
