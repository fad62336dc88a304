// common/serving/rollup_merge: partial results of several partitions (and windows) merge into the
// results of the union — exact aggregates exactly, sketches as the sketch of the union.
#include <gtest/gtest.h>

#include "common/serving/rollup_codec.hpp"
#include "common/serving/rollup_merge.hpp"
#include "common/window/window_operator.hpp"

namespace {

using namespace freshet;

window::metric_spec spec_of(window::window_kind kind, int64_t size, int64_t hop, int64_t gap) {
  window::metric_spec m;
  m.name = "m";
  m.stream = "s";
  m.group_by = {"country", "device"};
  auto agg = [](std::string out, window::agg_kind k, std::string field) {
    window::aggregation_spec a;
    a.output = std::move(out);
    a.kind = k;
    a.field = std::move(field);
    return a;
  };
  m.aggregations = {agg("n", window::agg_kind::count, ""), agg("sum", window::agg_kind::sum, "v"),
                    agg("mean", window::agg_kind::avg, "v"), agg("users", window::agg_kind::count_distinct, "u"),
                    agg("q", window::agg_kind::quantiles, "v"), agg("top", window::agg_kind::top_k, "u")};
  m.aggregations[4].quantiles = {0.5};
  m.window.kind = kind;
  m.window.size_ms = size;
  m.window.hop_ms = hop;
  m.window.gap_ms = gap;
  m.idle_timeout_ms = 0;
  m.emit.include_state = true;
  return m;
}

struct ev {
  int64_t t;
  std::string country, device, user;
  int64_t v;
};

/// Runs one operator per partition over its events and returns every partition's final rollups.
std::vector<v1::Rollup> rollups_of(const window::metric_spec& spec, const std::vector<std::vector<ev>>& parts) {
  std::vector<v1::Rollup> out;
  for (size_t p = 0; p < parts.size(); ++p) {
    auto op = window::window_operator::create(spec);
    EXPECT_TRUE(op.ok());
    window::output_batch batch;
    for (const auto& e : parts[p]) {
      std::string_view dims[] = {e.country, e.device};
      window::field_value values[] = {e.v, std::string_view{e.user}};
      EXPECT_TRUE((*op)->on_event({partition_id{static_cast<int32_t>(p)}, e.t, dims, values, 0}, batch).ok());
    }
    (*op)->finish(0, batch);
    // Keep the last emission per window (what a store would hold).
    std::map<std::pair<std::vector<std::string>, window::window_bounds>, v1::Rollup> last;
    for (const auto& e : batch.emissions)
      last[{e.dims, e.window}] = serving::to_rollup(e, spec, "t", static_cast<int32_t>(p), 0);
    for (auto& [k, r] : last)
      out.push_back(r);
  }
  return out;
}

const v1::AggregateValue& value(const v1::MetricRow& row, const std::string& name) {
  for (const auto& v : row.values())
    if (v.name() == name)
      return v;
  static v1::AggregateValue none;
  ADD_FAILURE() << name;
  return none;
}

} // namespace

TEST(rollup_merge, partitions_of_one_window_merge_into_the_union) {
  auto spec = spec_of(window::window_kind::tumbling, 1000, 0, 0);
  auto parts = rollups_of(spec, {{{100, "DE", "m", "a", 10}, {200, "DE", "m", "b", 20}},
                                 {{300, "DE", "m", "a", 30}, {400, "DE", "m", "c", 40}, {500, "FR", "d", "a", 1}}});
  serving::merge_request req;
  req.window.type = config::window_type::tumbling;
  req.window.size_ms = 1000;
  req.dim_count = 2;
  req.keep = {0, 1};
  auto rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok()) << rows.err().message;
  ASSERT_EQ(rows->size(), 2u);
  const auto& de = (*rows)[0];
  EXPECT_EQ(de.dims(0), "DE");
  EXPECT_EQ(de.parts(), 2u);
  EXPECT_TRUE(de.final());
  EXPECT_EQ(value(de, "n").int_value(), 4);
  EXPECT_EQ(value(de, "sum").int_value(), 100);
  EXPECT_DOUBLE_EQ(value(de, "mean").real_value(), 25.0);
  EXPECT_EQ(value(de, "users").int_value(), 3); // a counted once across partitions
  EXPECT_EQ(value(de, "top").top_k().entries(0).item(), "a");
  EXPECT_EQ(value(de, "top").top_k().entries(0).count(), 2u);
  EXPECT_NEAR(value(de, "q").quantiles().values(0).value(), 20.0, 0.2);
}

TEST(rollup_merge, rolling_up_drops_dims_and_merging_windows_covers_the_range) {
  auto spec = spec_of(window::window_kind::tumbling, 1000, 0, 0);
  auto parts = rollups_of(spec, {{{100, "DE", "m", "a", 1}, {1100, "DE", "d", "b", 2}, {2100, "FR", "m", "a", 4}},
                                 {{150, "FR", "d", "c", 8}, {1150, "DE", "m", "a", 16}}});
  serving::merge_request req;
  req.window.type = config::window_type::tumbling;
  req.window.size_ms = 1000;
  req.dim_count = 2;
  req.keep = {}; // everything into one group
  req.merge_windows = true;
  auto rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].window_start_ms(), 0);
  EXPECT_EQ((*rows)[0].window_end_ms(), 3000);
  EXPECT_EQ(value((*rows)[0], "n").int_value(), 5);
  EXPECT_EQ(value((*rows)[0], "sum").int_value(), 31);
  EXPECT_EQ(value((*rows)[0], "users").int_value(), 3);
  req.keep = {1}; // by device, per window
  req.merge_windows = false;
  rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u); // [0, 1s): d, m; [1s, 2s): d, m; [2s, 3s): m
  EXPECT_EQ((*rows)[0].dims(0), "d");
  EXPECT_EQ(value((*rows)[0], "sum").int_value(), 8);
  EXPECT_EQ((*rows)[4].window_start_ms(), 2000);
  EXPECT_EQ(value((*rows)[4], "sum").int_value(), 4);
}

TEST(rollup_merge, merging_hopping_windows_takes_a_tiling_so_nothing_counts_twice) {
  auto spec = spec_of(window::window_kind::hopping, 1000, 250, 0);
  std::vector<ev> events;
  for (int i = 0; i < 40; ++i)
    events.push_back({1000 + 50 * i, "DE", "m", "u" + std::to_string(i % 7), 1});
  auto parts = rollups_of(spec, {events});
  serving::merge_request req;
  req.window.type = config::window_type::hopping;
  req.window.size_ms = 1000;
  req.window.hop_ms = 250;
  req.dim_count = 2;
  req.keep = {0, 1};
  req.merge_windows = true;
  // Windows starting from 1000 (aligned): the tiling 1000, 2000, ... covers each event once.
  std::vector<v1::Rollup> from_aligned;
  for (const auto& r : parts)
    if (r.window_start_ms() >= 1000)
      from_aligned.push_back(r);
  auto rows = serving::merge_rollups(from_aligned, req);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(value((*rows)[0], "n").int_value(), 40);
}

TEST(rollup_merge, sessions_of_partitions_unite_and_cannot_be_rolled_up_per_window) {
  auto spec = spec_of(window::window_kind::session, 0, 0, 100);
  auto parts = rollups_of(spec, {{{1000, "DE", "m", "a", 1}, {1080, "DE", "m", "a", 1}},   // [1000, 1180)
                                 {{1150, "DE", "m", "a", 1}, {1400, "DE", "m", "a", 1}},   // [1150,1250) [1400,1500)
                                 {{1240, "DE", "m", "a", 1}}});                           // [1240, 1340)
  serving::merge_request req;
  req.window.type = config::window_type::session;
  req.window.gap_ms = 100;
  req.dim_count = 2;
  req.keep = {0, 1};
  auto rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok()) << rows.err().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].window_start_ms(), 1000);
  EXPECT_EQ((*rows)[0].window_end_ms(), 1340);
  EXPECT_EQ(value((*rows)[0], "n").int_value(), 4);
  EXPECT_EQ((*rows)[1].window_start_ms(), 1400);
  EXPECT_EQ(value((*rows)[1], "n").int_value(), 1);
  req.keep = {0};
  EXPECT_FALSE(serving::merge_rollups(parts, req).ok());
  req.merge_windows = true;
  rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(value((*rows)[0], "n").int_value(), 5);
}

TEST(rollup_merge, parts_without_state_cannot_be_merged) {
  auto spec = spec_of(window::window_kind::tumbling, 1000, 0, 0);
  auto parts = rollups_of(spec, {{{100, "DE", "m", "a", 1}}, {{200, "DE", "m", "b", 2}}});
  for (auto& p : parts)
    for (auto& v : *p.mutable_values())
      v.clear_state();
  serving::merge_request req;
  req.window.type = config::window_type::tumbling;
  req.dim_count = 2;
  req.keep = {0, 1};
  EXPECT_FALSE(serving::merge_rollups(parts, req).ok());
  parts.pop_back(); // one part alone needs no merge
  auto rows = serving::merge_rollups(parts, req);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(value((*rows)[0], "n").int_value(), 1);
}
