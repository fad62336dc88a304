// Windowed expectations on an injected clock: when windows close, what they measure, when they
// alert; the distinct estimator against exact counts.
#include <cmath>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "common/event/json_codec.hpp"
#include "services/quality-gate/window_monitor.hpp"
#include "tests/unit/quality_gate/fixtures.hpp"

namespace {

using namespace freshet::quality_gate;

constexpr int64_t minute = 60'000;

struct fixture {
  freshet::config::expectations_spec spec;
  int64_t clock;
  std::vector<window_result> judged;
  std::unique_ptr<window_monitor> m;

  fixture(const std::vector<std::string>& items, int64_t start) : clock(start) {
    auto parsed = qg_test::parse(qg_test::stream_section("orders", items));
    EXPECT_TRUE(parsed.ok()) << parsed.err().describe();
    spec = *parsed;
    m = std::make_unique<window_monitor>(spec, [this] { return clock; },
                                         [this](const window_result& r) { judged.push_back(r); });
  }

  void events(const std::string& json, int n, const std::string& stream = "orders") {
    auto rec = freshet::event::decode_json(json);
    ASSERT_TRUE(rec.ok());
    for (int i = 0; i < n; ++i)
      m->observe(stream, *rec);
  }
};

} // namespace

TEST(window_monitor, the_first_partial_window_is_not_judged) {
  fixture f{{"{name: rows, row_count: {min: 1, max: 5}}"}, 100 * minute + 30'000};
  f.events("{}", 10);
  f.clock = 101 * minute;
  f.m->tick();
  EXPECT_TRUE(f.judged.empty());
  f.events("{}", 3);
  f.clock = 102 * minute - 1;
  f.m->tick();
  EXPECT_TRUE(f.judged.empty()); // not over yet
  f.clock = 102 * minute;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 1u);
  EXPECT_EQ(f.judged[0].start_ms, 101 * minute);
  EXPECT_EQ(f.judged[0].end_ms, 102 * minute);
  EXPECT_EQ(f.judged[0].rows, 3);
  EXPECT_EQ(f.judged[0].value, 3);
  EXPECT_FALSE(f.judged[0].violated);
}

TEST(window_monitor, a_monitor_started_on_a_boundary_judges_its_first_window) {
  fixture f{{"{name: rows, row_count: {max: 2}}"}, 100 * minute};
  f.events("{}", 3);
  f.clock = 101 * minute + 5;
  f.events("{}", 1); // closes the window on the way in, then counts in the next one
  ASSERT_EQ(f.judged.size(), 1u);
  EXPECT_TRUE(f.judged[0].violated);
  EXPECT_MENTIONS(f.judged[0].message, "3 events");
  EXPECT_MENTIONS(f.judged[0].message, "at most 2 expected");
}

TEST(window_monitor, a_silent_stream_fails_its_row_count_every_window) {
  fixture f{{"{name: rows, row_count: {min: 1}}"}, 100 * minute};
  f.events("{}", 5);
  f.clock = 104 * minute + 1;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 4u); // the busy window, then three empty ones
  EXPECT_FALSE(f.judged[0].violated);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(f.judged[i].violated);
    EXPECT_EQ(f.judged[i].rows, 0);
    EXPECT_EQ(f.judged[i].start_ms, (100 + static_cast<int64_t>(i)) * minute);
  }
  EXPECT_MENTIONS(f.judged[1].message, "at least 1 expected");
}

TEST(window_monitor, a_long_pause_judges_a_bounded_number_of_empty_windows) {
  fixture f{{"{name: rows, row_count: {min: 1}, window: 1s}"}, 0};
  f.clock = 1000LL * 86'400'000; // 1000 days later
  f.m->tick();
  EXPECT_LE(f.judged.size(), 61u);
  f.judged.clear();
  f.clock += 1000;
  f.m->tick();
  EXPECT_EQ(f.judged.size(), 1u); // and then it is back in step
}

TEST(window_monitor, null_ratio) {
  fixture f{{"{name: nulls, null_ratio: {field: user_id, max: 0.25}, min_rows: 4}"}, 0};
  f.events(R"({"user_id": "u"})", 6);
  f.events(R"({"user_id": null})", 1);
  f.events(R"({})", 1);
  f.clock = minute;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 1u);
  EXPECT_DOUBLE_EQ(f.judged[0].value, 0.25);
  EXPECT_FALSE(f.judged[0].violated);
  f.events(R"({"user_id": "u"})", 2);
  f.events(R"({})", 1);
  f.clock = 2 * minute;
  f.m->tick();
  EXPECT_EQ(f.judged.size(), 1u); // 3 events < min_rows: not judged
  f.events(R"({"user_id": "u"})", 2);
  f.events(R"({})", 2);
  f.clock = 3 * minute;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 2u);
  EXPECT_DOUBLE_EQ(f.judged[1].value, 0.5);
  EXPECT_TRUE(f.judged[1].violated);
  EXPECT_MENTIONS(f.judged[1].message, "null ratio of user_id is 0.5 over 4 events");
}

TEST(window_monitor, distinct_ratio) {
  fixture f{{"{name: d, distinct_ratio: {field: user_id, min: 0.5}}"}, 0};
  for (int i = 0; i < 10; ++i)
    f.events(R"({"user_id": "u)" + std::to_string(i % 3) + R"("})", 1);
  f.events(R"({})", 5); // nulls are not values
  f.clock = minute;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 1u);
  EXPECT_EQ(f.judged[0].rows, 10);
  EXPECT_DOUBLE_EQ(f.judged[0].value, 0.3);
  EXPECT_TRUE(f.judged[0].violated);
}

TEST(window_monitor, streams_and_expectations_are_kept_apart) {
  fixture f{{"{name: a, row_count: {min: 1}}", "{name: b, row_count: {min: 1}, window: 2m}"}, 0};
  f.events("{}", 2);
  f.events("{}", 7, "clicks"); // another stream: not counted
  f.clock = 2 * minute;
  f.m->tick();
  ASSERT_EQ(f.judged.size(), 3u); // a: [0,1m) [1m,2m); b: [0,2m)
  std::map<std::string, std::vector<int64_t>> rows;
  for (const auto& r : f.judged)
    rows[r.spec->name].push_back(r.rows);
  EXPECT_EQ(rows["a"], (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(rows["b"], (std::vector<int64_t>{2}));
}

TEST(window_monitor, alert_json_names_everything_a_receiver_needs) {
  fixture f{{"{name: rows, row_count: {min: 1, max: 9}}"}, 0};
  f.clock = 2 * minute;
  f.m->tick();
  ASSERT_FALSE(f.judged.empty());
  auto j = alert_json("clickstream", f.judged[0]);
  for (const char* part : {R"("pipeline":"clickstream")", R"("stream":"orders")", R"("expectation":"rows")",
                           R"("kind":"row_count")", R"("min":1.0)", R"("max":9.0)", R"("rows":0)",
                           R"("window_start":"1970-01-01T00:00:00.000Z")", R"("message":)"})
    EXPECT_MENTIONS(j, part);
}

TEST(distinct_counter, is_exact_below_k_and_close_above) {
  distinct_counter c;
  for (int i = 0; i < 1000; ++i)
    c.add("v" + std::to_string(i % 700));
  EXPECT_EQ(c.estimate(), 700);
  std::mt19937 rng{7};
  for (int n : {5000, 50000, 300000}) {
    distinct_counter big;
    std::set<uint64_t> exact;
    for (int i = 0; i < n; ++i) {
      auto v = std::uniform_int_distribution<uint64_t>{0, static_cast<uint64_t>(n)}(rng);
      exact.insert(v);
      big.add(std::to_string(v));
    }
    double err = std::fabs(big.estimate() - static_cast<double>(exact.size())) / static_cast<double>(exact.size());
    EXPECT_LT(err, 0.1) << n << " values, " << exact.size() << " distinct, estimate " << big.estimate();
  }
}
