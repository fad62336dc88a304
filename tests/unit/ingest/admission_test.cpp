// ingest's admission (the in-flight byte bound, waiters for room) and kafka_health.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "services/ingest/admission.hpp"

namespace {

using freshet::ingest::admission;
using freshet::ingest::kafka_health;

TEST(admission, admits_up_to_the_bound_and_refuses_beyond) {
  admission gate{1000, 250, nullptr};
  EXPECT_EQ(gate.try_admit(600), admission::verdict::admitted);
  EXPECT_EQ(gate.try_admit(400), admission::verdict::admitted);
  EXPECT_EQ(gate.try_admit(1), admission::verdict::overloaded);
  EXPECT_FALSE(gate.has_room());
  gate.release(600);
  EXPECT_TRUE(gate.has_room());
  EXPECT_EQ(gate.try_admit(500), admission::verdict::admitted);
  EXPECT_EQ(gate.inflight_bytes(), 900);
  EXPECT_EQ(gate.retry_after_ms(), 250);
}

TEST(admission, one_batch_larger_than_the_bound_passes_when_nothing_else_is_in_flight) {
  admission gate{1000, 250, nullptr};
  EXPECT_EQ(gate.try_admit(5000), admission::verdict::admitted);
  EXPECT_EQ(gate.try_admit(1), admission::verdict::overloaded);
  gate.release(5000);
  EXPECT_EQ(gate.inflight_bytes(), 0);
}

TEST(admission, waiters_run_once_there_is_room) {
  admission gate{100, 1, nullptr};
  int ran = 0;
  gate.when_room([&] { ++ran; });
  EXPECT_EQ(ran, 1) << "room now: at once";
  gate.admit(150);
  gate.when_room([&] { ++ran; });
  gate.when_room([&] { ++ran; });
  EXPECT_EQ(ran, 1);
  gate.admit(10);
  gate.release(10);
  EXPECT_EQ(ran, 1) << "still at the bound";
  gate.release(100);
  EXPECT_EQ(ran, 3);
  gate.release(50);
  EXPECT_EQ(ran, 3) << "each waiter runs once";
}

TEST(admission, concurrent_admits_never_exceed_the_bound_together) {
  admission gate{10000, 1, nullptr};
  std::atomic<int64_t> peak{0}, held{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < 20000; ++i)
        if (gate.try_admit(100) == admission::verdict::admitted) {
          auto now = held.fetch_add(100) + 100;
          auto p = peak.load();
          while (now > p && !peak.compare_exchange_weak(p, now)) {
          }
          held.fetch_sub(100);
          gate.release(100);
        }
    });
  for (auto& th : pool)
    th.join();
  EXPECT_LE(peak.load(), 10000);
  EXPECT_EQ(gate.inflight_bytes(), 0);
}

TEST(kafka_health, stalls_and_failures_mean_down) {
  kafka_health h{5000, 1000};
  auto t0 = freshet::now_ms();
  EXPECT_FALSE(h.down(t0));
  h.produced();
  h.produced();
  EXPECT_EQ(h.outstanding(), 2);
  EXPECT_FALSE(h.down(t0 + 4000));
  EXPECT_TRUE(h.down(t0 + 6000)) << "outstanding and no report for the stall time";
  h.delivered(t0 + 6100);
  EXPECT_FALSE(h.down(t0 + 6100)) << "a report is progress";
  h.delivered(t0 + 6200);
  EXPECT_FALSE(h.down(t0 + 100000)) << "nothing outstanding: not down however quiet";
  h.produced();
  h.failed(t0 + 6300);
  EXPECT_TRUE(h.down(t0 + 6400)) << "the latest report failed";
  EXPECT_FALSE(h.down(t0 + 7400)) << "after the hold, one more try";
  h.produced();
  h.delivered(t0 + 7500);
  EXPECT_FALSE(h.down(t0 + 7550));
  EXPECT_EQ(h.outstanding(), 0);
}

TEST(admission, refuses_everything_while_kafka_is_down) {
  kafka_health h{1, 60000};
  admission gate{1000, 1, &h};
  h.produced();
  h.failed(freshet::now_ms());
  EXPECT_EQ(gate.try_admit(1), admission::verdict::kafka_down);
  EXPECT_TRUE(gate.kafka_down());
  EXPECT_EQ(gate.inflight_bytes(), 0);
}

} // namespace
