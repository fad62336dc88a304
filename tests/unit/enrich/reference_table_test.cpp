// The materialized reference table, one suite over both stores it runs on (memory and RocksDB):
// ordered upserts and tombstones, exact row counts, stored positions, range index upkeep; and the
// resume-or-rebuild decision of its loader.
#include <chrono>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include <gtest/gtest.h>

#include "services/enrich/reference_table.hpp"
#include "services/enrich/table_loader.hpp"

namespace freshet::enrich {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<state::kv_store> memory_store() {
  return state::make_memory_store();
}

std::unique_ptr<state::kv_store> rocksdb_store() {
  static int n = 0;
  auto dir = fs::path{::testing::TempDir()} / ("reference_table_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  fs::remove_all(dir);
  auto s = state::open_rocksdb({dir.string()});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().describe());
  return s.ok() ? std::move(*s) : nullptr;
}

class reference_table_test : public ::testing::TestWithParam<std::unique_ptr<state::kv_store> (*)()> {
 protected:
  std::shared_ptr<reference_table> make(std::optional<config::ip_range_columns> ranges = std::nullopt) {
    auto t = std::make_shared<reference_table>("t", ranges, GetParam()());
    EXPECT_TRUE(t->reset("fp-1", 100).ok());
    return t;
  }
  static std::string column(reference_table& t, const std::string& key, const std::string& col) {
    auto row = t.find(key);
    EXPECT_TRUE(row.ok());
    if (!row.ok() || !*row)
      return "<none>";
    const auto* v = (*row)->get(col);
    return v ? event::as_text(*v) : "<no column>";
  }
};

TEST_P(reference_table_test, applies_upserts_and_tombstones_in_order) {
  auto t = make();
  auto stats = t->apply({{"a", R"({"id":"a","v":1})"},
                         {"b", R"({"id":"b","v":1})"},
                         {"a", R"({"id":"a","v":2})"},
                         {"b", std::nullopt},
                         {"c", R"({"id":"c","v":1})"},
                         {"c", std::nullopt},
                         {"c", R"({"id":"c","v":3})"}},
                        {{0, 7}}, 200);
  ASSERT_TRUE(stats.ok()) << stats.err().describe();
  EXPECT_EQ(stats->upserts, 5u);
  EXPECT_EQ(stats->deletes, 2u);
  EXPECT_EQ(column(*t, "a", "v"), "2");
  EXPECT_EQ(column(*t, "b", "v"), "<none>");
  EXPECT_EQ(column(*t, "c", "v"), "3");
  EXPECT_EQ(t->size(), 2u);
  ASSERT_TRUE(t->apply({{"a", std::nullopt}, {"zz", std::nullopt}}, {{0, 9}}, 300).ok());
  EXPECT_EQ(t->size(), 1u) << "deleting an absent key changes nothing";
}

TEST_P(reference_table_test, a_value_that_is_no_json_object_removes_the_row) {
  auto t = make();
  ASSERT_TRUE(t->apply({{"a", R"({"v":1})"}}, {{0, 1}}, 0).ok());
  auto stats = t->apply({{"a", "not json"}, {"b", "[1]"}}, {{0, 3}}, 0);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->rejected, 2u);
  EXPECT_EQ(column(*t, "a", "v"), "<none>") << "as a rebuild from the compacted topic would find";
  EXPECT_EQ(t->size(), 0u);
}

TEST_P(reference_table_test, stores_positions_and_fingerprint_with_the_rows) {
  auto t = make();
  ASSERT_TRUE(t->apply({{"a", R"({"v":1})"}}, {{0, 10}, {3, 4}}, 12345).ok());
  auto st = t->stored();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->fingerprint, "fp-1");
  EXPECT_EQ(st->saved_at_ms, 12345);
  EXPECT_EQ(st->offsets, (std::map<int32_t, int64_t>{{0, 10}, {3, 4}}));
  ASSERT_TRUE(t->touch(99999).ok());
  EXPECT_EQ(t->stored()->saved_at_ms, 99999);
  ASSERT_TRUE(t->reset("fp-2", 5).ok());
  EXPECT_EQ(t->size(), 0u);
  EXPECT_EQ(t->stored()->offsets.size(), 0u);
  EXPECT_EQ(t->stored()->fingerprint, "fp-2");
  EXPECT_EQ(column(*t, "a", "v"), "<none>");
}

TEST_P(reference_table_test, the_range_index_follows_updates_and_deletes) {
  auto t = make(config::ip_range_columns{"net", "", ""});
  ASSERT_TRUE(t->apply({{"n1", R"({"net":"10.0.0.0/8","c":"US"})"}, {"n2", R"({"net":"10.1.0.0/16","c":"GB"})"},
                        {"bad", R"({"net":"not a network","c":"??"})"}},
                       {{0, 3}}, 0)
                .ok());
  auto country = [&](const char* ip) {
    auto row = t->find_ip(ip);
    EXPECT_TRUE(row.ok());
    return row.ok() && *row ? event::as_text(*(*row)->get("c")) : std::string{"<none>"};
  };
  EXPECT_EQ(country("10.1.2.3"), "GB");
  EXPECT_EQ(country("10.2.0.0"), "US");
  EXPECT_EQ(country("11.0.0.0"), "<none>");
  EXPECT_EQ(country("not an ip"), "<none>");
  EXPECT_EQ(t->size(), 3u) << "a row with a bad range is still a row, just not an indexed one";
  // n2 moves to another network; n1 is deleted.
  ASSERT_TRUE(t->apply({{"n2", R"({"net":"10.2.0.0/16","c":"GB"})"}, {"n1", std::nullopt}}, {{0, 5}}, 0).ok());
  EXPECT_EQ(country("10.1.2.3"), "<none>");
  EXPECT_EQ(country("10.2.9.9"), "GB");
  EXPECT_EQ(t->size(), 2u);
}

TEST_P(reference_table_test, first_and_last_columns) {
  auto t = make(config::ip_range_columns{"", "lo", "hi"});
  ASSERT_TRUE(t->apply({{"r", R"({"lo":"1.0.0.0","hi":"1.0.0.255","c":"AU"})"}}, {{0, 1}}, 0).ok());
  auto row = t->find_ip("1.0.0.7");
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(event::as_text(*(*row)->get("c")), "AU");
}

TEST_P(reference_table_test, caught_up_is_a_one_way_signal_others_can_wait_for) {
  auto t = make();
  EXPECT_FALSE(t->caught_up());
  EXPECT_FALSE(t->wait_caught_up(10));
  std::thread marker{[&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    t->mark_caught_up();
  }};
  EXPECT_TRUE(t->wait_caught_up(5000));
  marker.join();
  EXPECT_TRUE(t->caught_up());
}

TEST_P(reference_table_test, a_closed_table_answers_with_retriable_errors) {
  auto t = make();
  t->close();
  auto row = t->find("a");
  ASSERT_FALSE(row.ok());
  EXPECT_TRUE(row.err().retriable);
}

INSTANTIATE_TEST_SUITE_P(stores, reference_table_test, ::testing::Values(&memory_store, &rocksdb_store),
                         [](const auto& info) { return info.index == 0 ? std::string{"memory"} : std::string{"rocksdb"}; });

TEST(reference_table, a_reopened_rocksdb_store_resumes_rows_count_and_ranges) {
  auto dir = fs::path{::testing::TempDir()} / ("reference_table_reopen_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    auto store = state::open_rocksdb({dir.string()});
    ASSERT_TRUE(store.ok());
    reference_table t{"geo", config::ip_range_columns{"net", "", ""}, std::move(*store)};
    ASSERT_TRUE(t.reset("fp", 0).ok());
    ASSERT_TRUE(t.apply({{"n1", R"({"net":"10.0.0.0/8","c":"US"})"}, {"n2", R"({"net":"10.1.0.0/16","c":"GB"})"}},
                        {{0, 2}}, 7)
                  .ok());
  }
  auto store = state::open_rocksdb({dir.string()});
  ASSERT_TRUE(store.ok());
  reference_table t{"geo", config::ip_range_columns{"net", "", ""}, std::move(*store)};
  ASSERT_TRUE(t.load().ok());
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.stored()->offsets, (std::map<int32_t, int64_t>{{0, 2}}));
  auto row = t.find_ip("10.1.0.1");
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(event::as_text(*(*row)->get("c")), "GB");
  t.close();
  fs::remove_all(dir);
}

// --- where a loader starts ----------------------------------------------------------------------

reference_table::stored_state stored(std::string fp, std::optional<int64_t> saved, std::map<int32_t, int64_t> offsets) {
  return {std::move(fp), saved, std::move(offsets)};
}

TEST(start_plan, resumes_a_fresh_matching_store_within_the_watermarks) {
  auto plan = plan_start(stored("fp", 1000, {{0, 5}, {1, 9}}), "fp", "dim.t", {{0, 10}, {2, 9}, {0, 3}}, 2000, 5000);
  EXPECT_FALSE(plan.rebuild) << plan.why;
  ASSERT_EQ(plan.from.size(), 3u);
  EXPECT_EQ(plan.from[0].next_offset, 5);
  EXPECT_EQ(plan.from[1].next_offset, 9);
  EXPECT_EQ(plan.from[2].next_offset, -1) << "a partition without a stored offset is read from its start";
  EXPECT_EQ(plan.from[2].tp.topic, "dim.t");
}

TEST(start_plan, rebuilds_whenever_resuming_could_be_wrong) {
  auto rebuilds = [](const start_plan& p, const std::string& why) {
    EXPECT_TRUE(p.rebuild);
    EXPECT_NE(p.why.find(why), std::string::npos) << p.why;
    for (const auto& f : p.from)
      EXPECT_EQ(f.next_offset, -1);
  };
  rebuilds(plan_start(stored("fp", 1000, {{0, 5}}), "fp", "t", {{0, 10}}, 2000, 0), "off");
  rebuilds(plan_start(stored("", std::nullopt, {}), "fp", "t", {{0, 10}}, 2000, 5000), "empty");
  rebuilds(plan_start(stored("other", 1000, {{0, 5}}), "fp", "t", {{0, 10}}, 2000, 5000), "another topic");
  rebuilds(plan_start(stored("fp", 1000, {{0, 5}}), "fp", "t", {{0, 10}}, 7000, 5000), "older");
  rebuilds(plan_start(stored("fp", std::nullopt, {{0, 5}}), "fp", "t", {{0, 10}}, 7000, 5000), "older");
  rebuilds(plan_start(stored("fp", 1000, {{0, 11}}), "fp", "t", {{0, 10}}, 2000, 5000), "outside"); // topic recreated
  rebuilds(plan_start(stored("fp", 1000, {{0, 2}}), "fp", "t", {{3, 10}}, 2000, 5000), "outside");  // truncated
  rebuilds(plan_start(stored("fp", 1000, {{1, 2}}), "fp", "t", {{0, 10}}, 2000, 5000), "no longer exists");
}

} // namespace
} // namespace freshet::enrich
