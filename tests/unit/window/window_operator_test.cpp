// common/window: window_operator on hand-picked cases — each rule of the contract once, readable.
// The property test (window_property_test.cpp) covers the same rules over random streams.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/window/aggregator.hpp"
#include "common/window/window_operator.hpp"

namespace {

using namespace freshet::window;
using freshet::partition_id;

aggregation_spec agg(std::string out, agg_kind k, std::string field = "") {
  aggregation_spec a;
  a.output = std::move(out);
  a.kind = k;
  a.field = std::move(field);
  return a;
}

metric_spec tumbling_spec(int64_t size, int64_t lateness = 0) {
  metric_spec m;
  m.name = "m";
  m.group_by = {"page"};
  m.aggregations = {agg("n", agg_kind::count), agg("total", agg_kind::sum, "v")};
  m.window = {window_kind::tumbling, size};
  m.allowed_lateness_ms = lateness;
  m.idle_timeout_ms = 0;
  return m;
}

/// Drives one operator; keeps every output.
struct harness {
  std::unique_ptr<window_operator> op;
  output_batch out;

  explicit harness(metric_spec spec, operator_options o = {}) {
    auto r = window_operator::create(std::move(spec), o);
    EXPECT_TRUE(r.ok());
    op = std::move(r.value());
    std::vector<partition_id> p{partition_id{0}};
    op->assign(p, 0, out);
  }

  void event(int64_t t, std::string_view page, int64_t v, int64_t proc = 0, int32_t part = 0) {
    std::vector<std::string_view> dims{page};
    std::vector<field_value> values;
    for (const auto& f : op->input_fields())
      values.push_back(f == "v" ? field_value{v} : field_value{std::string_view(page)});
    auto st = op->on_event({partition_id{part}, t, dims, values, proc}, out);
    EXPECT_TRUE(st.ok());
  }

  std::vector<emission> take() {
    auto e = std::move(out.emissions);
    out.emissions.clear();
    return e;
  }
};

int64_t as_int(const agg_value& v) { return std::get<int64_t>(v); }

TEST(window_operator, tumbling_windows_emit_final_results_when_the_watermark_passes_and_are_dropped) {
  harness h(tumbling_spec(10));
  h.event(1, "a", 5);
  h.event(3, "a", 7);
  h.event(4, "b", 1);
  EXPECT_TRUE(h.take().empty());
  EXPECT_EQ(h.op->open_windows(), 2u);
  h.event(12, "a", 100); // watermark 12 passes [0, 10)
  auto e = h.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].dims, std::vector<std::string>{"a"});
  EXPECT_EQ(e[0].window, (window_bounds{0, 10}));
  EXPECT_EQ(e[0].kind, emission_kind::final);
  EXPECT_EQ(e[0].revision, 1u);
  EXPECT_EQ(as_int(e[0].values[0]), 2);
  EXPECT_EQ(as_int(e[0].values[1]), 12);
  EXPECT_EQ(e[1].dims, std::vector<std::string>{"b"});
  EXPECT_EQ(h.op->open_windows(), 1u); // lateness 0: [0, 10) is gone, [10, 20) of "a" is open
  EXPECT_EQ(h.op->open_groups(), 1u);
  h.event(9, "a", 1); // too late
  ASSERT_EQ(h.out.late.size(), 1u);
  EXPECT_EQ(h.out.late[0].window, (window_bounds{0, 10}));
  EXPECT_EQ(h.out.late[0].event_time_ms, 9);
  EXPECT_EQ(h.out.late[0].watermark_ms, 12);
  EXPECT_EQ(h.out.late[0].reason, late_reason::beyond_allowed_lateness);
  EXPECT_EQ(h.op->stats().too_late, 1u);
  EXPECT_EQ(h.op->stats().on_time, 4u);
}

TEST(window_operator, late_events_within_lateness_re_emit_with_a_higher_revision) {
  harness h(tumbling_spec(10, 5));
  h.event(1, "a", 1);
  h.event(11, "a", 1); // W = 11: final for [0, 10)
  ASSERT_EQ(h.take().size(), 1u);
  h.event(2, "a", 10); // within lateness (W < 15)
  auto e = h.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, emission_kind::late);
  EXPECT_EQ(e[0].revision, 2u);
  EXPECT_EQ(as_int(e[0].values[1]), 11);
  EXPECT_EQ(h.op->stats().late_accepted, 1u);
  h.event(15, "a", 1); // W = 15 = end + lateness: [0, 10) is dropped
  EXPECT_EQ(h.op->stats().windows_closed, 1u);
  h.event(3, "a", 1);
  ASSERT_EQ(h.out.late.size(), 1u);
  EXPECT_TRUE(h.take().empty());
}

TEST(window_operator, hopping_events_can_be_late_for_one_window_and_on_time_for_another) {
  auto spec = tumbling_spec(0);
  spec.window = {window_kind::hopping, 10, 5};
  harness h(spec);
  h.event(20, "a", 1); // W = 20
  h.event(16, "a", 1); // windows [10, 20) (passed: too late) and [15, 25) (open)
  ASSERT_EQ(h.out.late.size(), 1u);
  EXPECT_EQ(h.out.late[0].window, (window_bounds{10, 20}));
  EXPECT_EQ(h.op->stats().too_late, 1u);
  EXPECT_EQ(h.op->stats().on_time, 3u); // 20 → [15, 25), [20, 30); 16 → [15, 25)
  h.op->finish(0, h.out);
  std::map<int64_t, int64_t> counts;
  for (const auto& e : h.take())
    counts[e.window.start] = as_int(e.values[0]);
  EXPECT_EQ(counts, (std::map<int64_t, int64_t>{{15, 2}, {20, 1}}));
  EXPECT_EQ(h.op->open_windows(), 0u);
}

TEST(window_operator, sessions_merge_and_the_merged_result_replaces_both) {
  auto spec = tumbling_spec(0, 100);
  spec.window = {window_kind::session, 0, 0, 10};
  spec.out_of_orderness_ms = 1000; // keep everything open
  harness h(spec);
  h.event(100, "a", 1);
  h.event(105, "a", 2); // same session [100, 115)
  h.event(122, "a", 4); // new session [122, 132): 17 ms after 105 is beyond the gap
  h.op->on_tick(0, h.out);
  EXPECT_EQ(h.op->open_windows(), 2u);
  h.event(1200, "b", 0); // W = 200: both sessions of "a" final
  auto e = h.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].window, (window_bounds{100, 115}));
  EXPECT_EQ(e[1].window, (window_bounds{122, 132}));
  h.event(113, "a", 8); // [113, 123) bridges both: late but within lateness
  e = h.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].window, (window_bounds{100, 132}));
  EXPECT_EQ(e[0].kind, emission_kind::late);
  EXPECT_EQ(e[0].revision, 2u);
  EXPECT_EQ(e[0].replaces, (std::vector<window_bounds>{{100, 115}, {122, 132}}));
  EXPECT_EQ(as_int(e[0].values[0]), 4);
  EXPECT_EQ(as_int(e[0].values[1]), 15);
  EXPECT_EQ(h.op->stats().sessions_merged, 1u);
  EXPECT_EQ(h.op->open_windows(), 2u); // "a" [100, 132) and "b"
}

TEST(window_operator, early_results_come_every_interval_for_changed_windows_only) {
  auto spec = tumbling_spec(1000);
  spec.emit.early_every_ms = 100;
  harness h(spec);
  h.event(1, "a", 1, 10); // schedules the first round at 100
  h.event(2, "b", 1, 50);
  EXPECT_TRUE(h.take().empty());
  h.op->on_tick(100, h.out);
  auto e = h.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kind, emission_kind::early);
  EXPECT_EQ(e[0].revision, 1u);
  h.event(3, "a", 1, 150);
  h.op->on_tick(199, h.out);
  EXPECT_TRUE(h.take().empty());
  h.op->on_tick(200, h.out);
  e = h.take();
  ASSERT_EQ(e.size(), 1u); // only "a" changed
  EXPECT_EQ(e[0].dims, std::vector<std::string>{"a"});
  EXPECT_EQ(e[0].revision, 2u);
  EXPECT_EQ(as_int(e[0].values[0]), 2);
  h.op->finish(300, h.out);
  e = h.take();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].kind, emission_kind::final);
  EXPECT_EQ(e[0].revision, 3u);
}

TEST(window_operator, an_idle_partition_stops_holding_the_watermark_after_the_timeout) {
  auto spec = tumbling_spec(10);
  spec.idle_timeout_ms = 1000;
  harness h(spec); // partition 0 assigned at processing time 0
  std::vector<partition_id> p1{partition_id{1}};
  h.op->assign(p1, 0, h.out);
  h.event(5, "a", 1, 10, 1);
  h.event(50, "a", 1, 20, 1);
  EXPECT_EQ(h.op->watermark(), no_watermark); // partition 0 has sent nothing
  h.op->on_tick(999, h.out);
  EXPECT_TRUE(h.take().empty());
  h.op->on_tick(1000, h.out);
  EXPECT_EQ(h.op->watermark(), 50);
  auto e = h.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].window, (window_bounds{0, 10}));
}

TEST(window_operator, filtered_events_are_counted_and_still_advance_the_watermark) {
  auto spec = tumbling_spec(10);
  spec.filter_fields = {"v"};
  spec.filter = [](const field_row& r) {
    auto* v = r.find("v");
    return v != nullptr && std::get<int64_t>(*v) > 0;
  };
  harness h(spec);
  h.event(1, "a", 5);
  h.event(2, "a", -1);
  h.event(15, "b", -1); // filtered, but moves W to 15
  auto e = h.take();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(as_int(e[0].values[0]), 1);
  EXPECT_EQ(h.op->stats().filtered, 2u);
}

TEST(window_operator, events_of_the_wrong_shape_are_rejected_without_changing_state) {
  harness h(tumbling_spec(10));
  std::vector<std::string_view> dims{"a", "extra"};
  std::vector<field_value> values{int64_t{1}};
  auto st = h.op->on_event({partition_id{0}, 1, dims, values, 0}, h.out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, static_cast<int>(errc::invalid_event));
  EXPECT_EQ(h.op->stats().events, 0u);
  EXPECT_EQ(h.op->watermark(), no_watermark);
}

TEST(window_operator, emissions_can_carry_mergeable_states) {
  auto spec = tumbling_spec(10);
  spec.aggregations.push_back(agg("users", agg_kind::count_distinct, "page"));
  spec.emit.include_state = true;
  harness h(spec);
  h.event(1, "a", 1);
  h.event(2, "a", 1);
  h.op->finish(0, h.out);
  auto e = h.take();
  ASSERT_EQ(e.size(), 1u);
  ASSERT_EQ(e[0].states.size(), 3u);
  auto hll = deserialize(e[0].states[2]);
  ASSERT_TRUE(hll.ok());
  EXPECT_EQ((*hll)->kind(), agg_kind::count_distinct);
  EXPECT_EQ((*hll)->value(), agg_value{int64_t{1}});
}

TEST(window_operator, snapshot_restore_round_trips_and_refuses_foreign_or_broken_state) {
  auto spec = tumbling_spec(10, 20);
  spec.emit.early_every_ms = 7;
  harness h(spec);
  for (int i = 0; i < 50; ++i)
    h.event(i * 3 % 40, i % 3 == 0 ? "a" : "b", i, i);
  auto bytes = h.op->snapshot();
  auto copy = window_operator::create(spec);
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE((*copy)->restore(bytes).ok());
  EXPECT_EQ((*copy)->snapshot(), bytes);
  EXPECT_EQ((*copy)->stats(), h.op->stats());
  EXPECT_EQ((*copy)->watermark(), h.op->watermark());
  EXPECT_EQ((*copy)->open_windows(), h.op->open_windows());

  auto other_spec = spec;
  other_spec.window.size_ms = 20;
  auto other = window_operator::create(other_spec);
  auto st = (*other)->restore(bytes);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, static_cast<int>(errc::spec_mismatch));

  for (size_t cut = 0; cut < bytes.size(); cut += 11) {
    auto broken = window_operator::create(spec);
    EXPECT_FALSE((*broken)->restore(std::string_view(bytes).substr(0, cut)).ok()) << cut;
    EXPECT_EQ((*broken)->open_windows(), 0u);
  }
}

TEST(window_operator, changelog_records_rebuild_the_same_state) {
  auto spec = tumbling_spec(10, 5);
  harness h(spec, operator_options{true});
  std::map<std::string, std::string> store; // what RocksDB / the compacted changelog would hold
  auto apply = [&] {
    std::vector<state_change> changes;
    h.op->take_changes(changes);
    EXPECT_FALSE(changes.empty());
    EXPECT_TRUE(changes.back().key.empty()); // meta last
    for (auto& c : changes) {
      if (c.value)
        store[c.key] = *c.value;
      else
        store.erase(c.key);
    }
  };
  for (int i = 0; i < 60; ++i) {
    h.event(i * 2 - (i % 4) * 3, i % 2 ? "a" : "b", i, i);
    if (i % 7 == 0)
      apply();
  }
  apply();
  std::vector<state_record> records;
  for (auto& [k, v] : store)
    records.push_back({k, v});
  auto rebuilt = window_operator::create(spec);
  ASSERT_TRUE((*rebuilt)->restore(records).ok());
  EXPECT_EQ((*rebuilt)->snapshot(), h.op->snapshot());
  EXPECT_EQ(store.size(), h.op->open_windows() + 1); // closed windows were deleted
}

} // namespace
