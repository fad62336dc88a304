// services/aggregate/rollup_processor over fakes: what one batch turns into (rollups, late and
// dead-lettered records, state), how the serving store is fed from committed results only, and
// what aborts, crashes, rebalances, idle partitions and changed metric definitions do.
#include <algorithm>

#include <gtest/gtest.h>

#include "common/serving/rollup_merge.hpp"
#include "tests/unit/aggregate/harness.hpp"

namespace {

using namespace freshet;
using namespace freshet::aggregate::test;

const std::string clicks = R"(
  - name: clicks
    stream: page_view
    filter: 'url != "/health"'
    group_by: [country]
    window: {type: tumbling, size: 1s}
    allowed_lateness: 500ms
    idle_timeout: 0
    emit: {early_every: 100ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: users, count_distinct: user}
)";

const std::string* header(const kafka::outgoing_record& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.key == name)
      return &h.value;
  return nullptr;
}

/// The served count of `clicks` per (country, window start), partitions merged.
std::map<std::pair<std::string, int64_t>, int64_t> served_counts(const fake_sink& sink, const std::string& metric = "clicks") {
  std::map<std::pair<std::string, int64_t>, int64_t> out;
  for (const auto& r : sink.of(metric))
    out[{r.dims(0), r.window_start_ms()}] += value_of(r, "n")->int_value();
  return out;
}

int64_t served(const fake_sink& sink, const std::string& country, int64_t start) {
  auto counts = served_counts(sink);
  auto it = counts.find({country, start});
  return it == counts.end() ? 0 : it->second;
}

} // namespace

TEST(rollup_processor, early_results_reach_the_serving_store_only_after_the_commit) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")"),
         make_event(0, 1, "page_view", 10'200, R"("country":"DE","user":"b","url":"/")"),
         make_event(0, 2, "page_view", 10'300, R"("country":"FR","user":"a","url":"/health")"), // filtered
         make_event(0, 3, "purchase", 10'300, R"("country":"FR","user":"a")")});                 // other stream
  h.clock += 150;
  h.run({}); // a tick: early results are due
  auto rollups = std::count_if(h.open.begin(), h.open.end(), [](const auto& r) { return r.topic == "rollups"; });
  EXPECT_EQ(rollups, 1);
  EXPECT_TRUE(h.sink.stored.empty()) << "nothing is served before the commit";
  h.commit();
  auto counts = served_counts(h.sink);
  EXPECT_EQ(counts, (std::map<std::pair<std::string, int64_t>, int64_t>{{{"DE", 10'000}, 2}}));
  auto stored = h.sink.of("clicks");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].kind(), v1::ROLLUP_KIND_EARLY);
  EXPECT_EQ(value_of(stored[0], "users")->int_value(), 2);
  EXPECT_FALSE(value_of(stored[0], "users")->state().empty()) << "sketches travel in mergeable form";
  // Early results never enter the outbox (a rebuild emits them again instead).
  EXPECT_EQ(h.state.count(0, aggregate::outbox_prefix), 0u);
}

TEST(rollup_processor, the_final_result_comes_when_the_watermark_passes_and_late_events_revise_it) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")"),
         make_event(0, 1, "page_view", 11'200, R"("country":"DE","user":"b","url":"/")")}); // W = 11200: [10s, 11s) final
  h.commit();
  auto first = h.committed_rollups();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind(), v1::ROLLUP_KIND_FINAL);
  EXPECT_EQ(first[0].window_start_ms(), 10'000);
  EXPECT_EQ(first[0].revision(), 1u);
  // Within the allowed lateness (W < 11000 + 500): the window is emitted again at once, revision 2.
  h.run({make_event(0, 2, "page_view", 10'900, R"("country":"DE","user":"c","url":"/")")});
  h.commit();
  auto all = h.committed_rollups();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].kind(), v1::ROLLUP_KIND_LATE);
  EXPECT_EQ(all[1].revision(), 2u);
  EXPECT_EQ(value_of(all[1], "n")->int_value(), 2);
  EXPECT_EQ(served(h.sink, "DE", 10'000), 2);
  // Beyond it: to the late topic with the original bytes and headers, naming metric and window.
  auto too_late = make_event(0, 4, "page_view", 10'500, R"("country":"DE","user":"d","url":"/")");
  h.run({make_event(0, 3, "page_view", 11'600, R"("country":"DE","user":"e","url":"/")"), too_late});
  h.commit();
  ASSERT_EQ(h.topics["events.late"].size(), 1u);
  const auto& late = h.topics["events.late"][0];
  EXPECT_EQ(late.value, too_late.value);
  EXPECT_EQ(late.key, too_late.key);
  EXPECT_EQ(late.timestamp_ms, too_late.timestamp_ms);
  ASSERT_NE(header(late, "freshet.stream"), nullptr);
  EXPECT_EQ(*header(late, "freshet.stream"), "page_view");
  EXPECT_EQ(*header(late, "freshet.reason"), "beyond_allowed_lateness");
  EXPECT_EQ(*header(late, "freshet.metric"), "clicks");
  EXPECT_EQ(*header(late, "freshet.window_start"), "10000");
  EXPECT_EQ(*header(late, "freshet.window_end"), "11000");
  EXPECT_EQ(*header(late, "freshet.stage"), "aggregate");
  EXPECT_EQ(*header(late, "freshet.source_offset"), "4");
  EXPECT_EQ(*header(late, "freshet.watermark"), "11600");
  EXPECT_EQ(served(h.sink, "DE", 10'000), 2) << "a too-late event never counts";
}

TEST(rollup_processor, an_undecodable_event_is_dead_lettered_and_nothing_else) {
  harness h{clicks, /*builtin=*/true};
  h.state.assign(0);
  auto bad = make_event(0, 0, "page_view", 10'000, "");
  bad.value = "{not json";
  h.run({bad});
  h.commit();
  ASSERT_EQ(h.topics["events.dlq"].size(), 1u);
  EXPECT_EQ(h.topics["events.dlq"][0].value, "{not json");
  EXPECT_EQ(*header(h.topics["events.dlq"][0], "freshet.reason"), "undecodable");
  EXPECT_TRUE(h.topics["rollups"].empty());
}

TEST(rollup_processor, the_builtin_counts_events_of_every_stream_by_record_time) {
  harness h{"", /*builtin=*/true};
  h.state.assign(0);
  h.state.assign(1);
  h.run({make_event(0, 0, "page_view", 20'500, ""), make_event(1, 0, "purchase", 21'000, ""),
         make_event(1, 1, "page_view", 29'999, ""), make_event(0, 1, "page_view", 30'000, "")});
  h.clock += 1000;
  h.run({});
  h.commit();
  std::map<std::pair<std::string, int64_t>, int64_t> counts;
  for (const auto& r : h.sink.of("event_counts"))
    counts[{r.dims(0), r.window_start_ms()}] += value_of(r, "count")->int_value();
  EXPECT_EQ(counts, (std::map<std::pair<std::string, int64_t>, int64_t>{
                      {{"page_view", 20'000}, 2}, {{"purchase", 20'000}, 1}, {{"page_view", 30'000}, 1}}));
}

TEST(rollup_processor, an_aborted_transaction_is_forgotten_in_memory_too) {
  harness h{clicks};
  h.state.assign(0);
  auto a = make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")");
  auto b = make_event(0, 1, "page_view", 10'200, R"("country":"DE","user":"b","url":"/")");
  h.run({a});
  h.commit();
  h.run({b});
  h.abort(); // the stage rewinds to offset 1 and reads b again
  h.run({b});
  h.clock += 200;
  h.run({});
  h.commit();
  EXPECT_EQ(served(h.sink, "DE", 10'000), 2) << "b counted once, a kept";
}

TEST(rollup_processor, a_crash_after_the_commit_serves_the_outbox_on_restart) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")"),
         make_event(0, 1, "page_view", 11'200, R"("country":"DE","user":"b","url":"/")")}); // [10s, 11s) final
  h.commit(/*serve=*/false); // committed to Kafka, then the process died before writing Redis
  EXPECT_TRUE(h.sink.stored.empty());
  EXPECT_EQ(h.state.count(0, aggregate::outbox_prefix), 1u) << "a final result waits in the outbox";
  h.restart();
  h.state.assign(0); // the partition comes back (restored from the changelog)
  h.run({});         // the rebuild finds the outbox and serves it
  EXPECT_EQ(served(h.sink, "DE", 10'000), 1);
  ASSERT_FALSE(h.sink.of("clicks").empty());
  h.commit();
  h.run({});
  h.commit();
  EXPECT_EQ(h.state.count(0, aggregate::outbox_prefix), 0u);
}

TEST(rollup_processor, a_crash_after_the_commit_emits_open_windows_again_on_restart) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")")});
  h.clock += 200;
  h.run({}); // an early result, committed below but never served
  auto before = std::count_if(h.open.begin(), h.open.end(), [](const auto& r) { return r.topic == "rollups"; });
  ASSERT_EQ(before, 1);
  h.commit(/*serve=*/false);
  EXPECT_TRUE(h.sink.stored.empty());
  h.restart();
  h.state.assign(0);
  h.run({});         // rebuilt: the open window is due at the next early round, unchanged or not
  h.clock += 200;
  h.run({});
  h.commit();
  EXPECT_EQ(served(h.sink, "DE", 10'000), 1);
  auto stored = h.sink.of("clicks");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].kind(), v1::ROLLUP_KIND_EARLY);
  EXPECT_EQ(stored[0].revision(), 2u) << "said again with a higher revision than the lost one";
  EXPECT_EQ(h.state.count(0, aggregate::outbox_prefix), 0u);
}

TEST(rollup_processor, a_serving_outage_is_retried_and_nothing_is_lost) {
  harness h{clicks};
  h.state.assign(0);
  h.sink.fail = true;
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")")});
  h.clock += 200;
  h.run({});
  h.commit();
  EXPECT_TRUE(h.sink.stored.empty());
  EXPECT_EQ(h.proc->serving_backlog(), 1u);
  h.sink.fail = false;
  h.clock += 10'000; // past the back-off
  h.run({});
  EXPECT_EQ(served(h.sink, "DE", 10'000), 1);
  EXPECT_EQ(h.proc->serving_backlog(), 0u);
}

TEST(rollup_processor, revoked_partitions_are_dropped_and_rebuilt_from_committed_state_when_they_return) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")")});
  h.commit();
  h.state.revoke(0);
  h.run({});
  EXPECT_EQ(h.proc->partitions(), 0u);
  // Meanwhile another instance owned partition 0 and committed one more event to its state: model
  // it by a second processor on the same (shared, committed) state.
  {
    harness other{clicks};
    other.state.committed = h.state.committed;
    other.state.assign(0);
    other.run({make_event(0, 1, "page_view", 10'200, R"("country":"DE","user":"b","url":"/")")});
    other.commit();
    h.state.committed = other.state.committed;
  }
  h.state.assign(0);
  h.run({make_event(0, 2, "page_view", 10'300, R"("country":"DE","user":"c","url":"/")")});
  h.clock += 200;
  h.run({});
  h.commit();
  EXPECT_EQ(served(h.sink, "DE", 10'000), 3);
}

TEST(rollup_processor, an_idle_partition_follows_the_instance_watermark_so_its_windows_close) {
  const std::string yaml = R"(
  - name: clicks
    stream: page_view
    group_by: [country]
    window: {type: tumbling, size: 1s}
    idle_timeout: 5s
    aggregations: [{name: n, count: '*'}]
)";
  harness h{yaml};
  h.state.assign(0);
  h.state.assign(1);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE")"), make_event(1, 0, "page_view", 10'200, R"("country":"FR")")});
  h.commit();
  // Partition 1 goes quiet; partition 0 moves on.
  for (int i = 1; i <= 10; ++i) {
    h.clock += 1000;
    h.run({make_event(0, i, "page_view", 10'100 + 1000 * i, R"("country":"DE")")});
    h.commit();
  }
  bool fr_final = false;
  for (const auto& r : h.committed_rollups())
    fr_final = fr_final || (r.dims(0) == "FR" && r.kind() == v1::ROLLUP_KIND_FINAL);
  EXPECT_TRUE(fr_final) << "the quiet partition's window was closed by the instance's watermark";
  const auto* p1 = h.proc->partition(1);
  ASSERT_NE(p1, nullptr);
  EXPECT_GE(p1->slots[0].op->watermark(), 15'000);
  EXPECT_EQ(p1->slots[0].op->stats().on_time, 1u);
}

TEST(rollup_processor, state_written_under_another_definition_is_dropped_not_misread) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")")});
  h.commit();
  auto changed = clicks;
  changed.replace(changed.find("size: 1s"), 8, "size: 2s");
  harness h2{changed};
  h2.state.committed = h.state.committed;
  h2.state.assign(0);
  h2.run({make_event(0, 1, "page_view", 10'200, R"("country":"DE","user":"b","url":"/")")});
  h2.clock += 200;
  h2.run({});
  h2.commit();
  auto stored = h2.sink.of("clicks");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].window_end_ms() - stored[0].window_start_ms(), 2000);
  EXPECT_EQ(value_of(stored[0], "n")->int_value(), 1);
}

TEST(rollup_processor, state_of_a_metric_no_longer_declared_is_erased) {
  harness h{clicks};
  h.state.assign(0);
  h.run({make_event(0, 0, "page_view", 10'100, R"("country":"DE","user":"a","url":"/")")});
  h.commit();
  EXPECT_GT(h.state.count(0, "clicks\x1f"), 0u);
  harness h2{R"(
  - name: other
    stream: page_view
    window: {type: tumbling, size: 1s}
    aggregations: [{name: n, count: '*'}]
)"};
  h2.state.committed = h.state.committed;
  h2.state.assign(0);
  h2.run({});
  h2.commit();
  EXPECT_EQ(h2.state.count(0, "clicks\x1f"), 0u);
}

TEST(rollup_processor, closed_windows_leave_the_state) {
  harness h{clicks};
  h.state.assign(0);
  for (int i = 0; i < 20; ++i)
    h.run({make_event(0, i, "page_view", 10'000 + 500 * i, R"("country":"DE","user":"a","url":"/")")});
  h.commit();
  // W = 19500: windows ending at or before 19000 are dropped (end + 500 ms lateness <= W).
  EXPECT_LE(h.proc->partition(0)->slots[0].op->open_windows(), 2u);
  EXPECT_LE(h.state.count(0, "clicks\x1f"), 3u); // meta + at most two windows
}

TEST(rollup_processor, sessions_merged_across_partitions_by_the_reader) {
  harness h{R"(
  - name: sessions
    stream: page_view
    group_by: [user]
    window: {type: session, gap: 1s}
    idle_timeout: 0
    emit: {early_every: 100ms}
    aggregations: [{name: n, count: '*'}]
)"};
  h.state.assign(0);
  h.state.assign(1);
  // One user's events alternate between partitions 300 ms apart: one global session.
  for (int i = 0; i < 6; ++i)
    h.run({make_event(i % 2, i / 2, "page_view", 10'000 + 300 * i, R"("user":"u")")});
  h.clock += 200;
  h.run({});
  h.commit();
  serving::merge_request req;
  req.window.type = config::window_type::session;
  req.window.gap_ms = 1000;
  req.dim_count = 1;
  req.keep = {0};
  auto rows = serving::merge_rollups(h.sink.of("sessions"), req);
  ASSERT_TRUE(rows.ok()) << rows.err().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].window_start_ms(), 10'000);
  EXPECT_EQ((*rows)[0].window_end_ms(), 10'000 + 300 * 5 + 1000);
  EXPECT_EQ((*rows)[0].values(0).int_value(), 6);
}
