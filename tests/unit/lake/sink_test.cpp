// The lake sink's exactly-once arithmetic without Kafka: a simulated consumer feeds records, the
// sink is "killed" (dropped without committing) at random points and restarted from its
// `start_offsets`, and at the end every table holds every good record exactly once — checked
// against the records themselves. Also: zombies conflict, rejects go out at least once, the
// tables spec parses.
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "common/config/pipeline_spec.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/table.hpp"
#include "common/parquet/reader.hpp"
#include "services/compaction/lake_sink.hpp"
#include "services/compaction/routing.hpp"
#include "services/compaction/tables_spec.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

namespace {

using namespace freshet;
using namespace freshet::compaction;
using freshet::lake::testing::temp_table_dir;

config::pipeline_spec test_spec() {
  auto spec = config::parse_pipeline_spec(R"(pipeline: t
topics:
  - {role: raw, name: r}
  - {role: dlq, name: d}
  - {role: valid, name: v}
  - {role: quarantine, name: q}
  - {role: enriched, name: events}
  - {role: late, name: l}
  - {role: rollups, name: rollups}
  - {role: schemas, name: s}
streams:
  - {name: page_view, schema: page_view.avsc, event_time: ts}
  - {name: purchase, schema: purchase.avsc, event_time: ts}
)",
                                          FRESHET_SOURCE_DIR "/examples/clickstream/schemas");
  EXPECT_TRUE(spec.ok()) << spec.err().describe();
  return *spec;
}

/// A partitioned topic of enriched events: every 11th is bad (no url / unknown stream).
struct topic_log {
  std::vector<std::vector<kafka::consumed_record>> partitions;
  std::map<std::string, std::set<std::string>> good; ///< table -> event ids
  std::set<std::string> bad;

  topic_log(int parts, int per_partition, uint32_t seed) {
    std::mt19937 rng{seed};
    partitions.resize(static_cast<size_t>(parts));
    int id = 0;
    for (int p = 0; p < parts; ++p)
      for (int o = 0; o < per_partition; ++o, ++id) {
        const bool purchase = rng() % 4 == 0;
        const int64_t ts = 1'714'521'600'000 + static_cast<int64_t>(rng() % (3 * 86'400'000));
        nlohmann::json v = purchase ? nlohmann::json{{"user_id", "u"}, {"ts", ts}, {"order_id", "o"}, {"amount", 1.5},
                                                     {"currency", "EUR"}, {"items", 1}}
                                    : nlohmann::json{{"user_id", "u"}, {"ts", ts}, {"url", "/x"}, {"geo", {{"country", "DE"}}}};
        std::string stream = purchase ? "purchase" : "page_view";
        auto eid = "e" + std::to_string(id);
        if (id % 11 == 5) {
          if (id % 2)
            stream = "unknown";
          else
            v.erase("user_id");
          bad.insert(eid);
        } else {
          good[purchase ? "purchase" : "page_view"].insert(eid);
        }
        kafka::consumed_record r;
        r.topic = "events";
        r.partition = p;
        r.offset = o;
        r.value = v.dump();
        r.headers = {{kafka::headers::stream, stream}, {kafka::headers::event_id, eid}, {kafka::headers::ingest_ts, "1"}};
        partitions[static_cast<size_t>(p)].push_back(std::move(r));
      }
  }
};

/// Event id -> occurrences over the table's live files, read with our Parquet reader.
std::map<std::string, int> table_ids(const std::string& root) {
  std::map<std::string, int> out;
  auto t = lake::table::open(root);
  EXPECT_TRUE(t.ok());
  if (!t.ok())
    return out;
  for (const auto& [path, add] : (*t)->latest().files()) {
    auto r = parquet::reader::open_file(root + "/" + lake::decode_path(path));
    EXPECT_TRUE(r.ok());
    if (!r.ok())
      continue;
    auto rows = r->read_all({"_event_id"});
    EXPECT_TRUE(rows.ok());
    if (!rows.ok())
      continue;
    for (const auto& row : *rows)
      ++out[row[0].as_bytes()];
  }
  return out;
}

struct harness {
  explicit harness(std::string dir) : lake_dir(std::move(dir)) {}
  std::string lake_dir;
  prometheus::Registry registry;
  lake_probe probe{registry};
  std::map<std::string, int> rejected; ///< event id -> times sent to the "DLQ"
  std::vector<std::string> pending_rejects; ///< not yet "flushed"

  std::unique_ptr<lake_sink> make_sink(const std::string& group = "g") {
    sink_options o;
    o.lake_dir = lake_dir;
    o.group = group;
    o.roll_ms = 50;
    o.roll_bytes = 1 << 30;
    o.idle_commit_ms = 200;
    o.max_open_files = 2; // three dates: forces size-independent rolls too
    auto sink = std::make_unique<lake_sink>(
      o, probe,
      [this](const kafka::consumed_record& r, const rejected_record&) {
        pending_rejects.push_back(*r.find_header(kafka::headers::event_id));
        return status{};
      },
      [this] {
        for (const auto& id : pending_rejects)
          ++rejected[id];
        pending_rejects.clear();
        return status{};
      });
    auto spec = test_spec();
    auto tables = parse_tables_spec("{}", spec);
    EXPECT_TRUE(tables.ok());
    auto router = make_event_router(spec, tables->events);
    EXPECT_TRUE(router.ok()) << router.err().describe();
    EXPECT_TRUE(sink->add_source("events", std::move(*router)).ok());
    return sink;
  }
};

TEST(lake_sink, random_kills_and_restarts_write_every_record_exactly_once) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    temp_table_dir dir;
    harness h{dir.str()};
    topic_log log{3, 400, seed};
    std::mt19937 rng{seed * 77};
    std::vector<kafka::topic_partition> parts{{"events", 0}, {"events", 1}, {"events", 2}};
    auto sink = h.make_sink();
    std::map<kafka::topic_partition, int64_t> position;
    auto restart_positions = [&] {
      for (const auto& [tp, start] : sink->start_offsets(parts))
        position[tp] = start < 0 ? 0 : start;
    };
    restart_positions();
    int64_t now = 1'000'000;
    int kills = 0;
    auto done = [&] {
      for (const auto& tp : parts)
        if (position[tp] < static_cast<int64_t>(log.partitions[static_cast<size_t>(tp.partition)].size()))
          return false;
      return true;
    };
    while (!done()) {
      int action = static_cast<int>(rng() % 10);
      if (action < 6) { // a batch: a few records of each partition, in offset order per partition
        std::vector<kafka::consumed_record> batch;
        for (const auto& tp : parts) {
          const auto& records = log.partitions[static_cast<size_t>(tp.partition)];
          int take = static_cast<int>(rng() % 25);
          for (int i = 0; i < take && position[tp] < static_cast<int64_t>(records.size()); ++i)
            batch.push_back(records[static_cast<size_t>(position[tp]++)]);
        }
        ASSERT_TRUE(sink->process(batch, now).ok());
      } else if (action < 8) {
        now += static_cast<int64_t>(rng() % 120);
        ASSERT_TRUE(sink->commit_due(now, rng() % 5 == 0).ok());
      } else if (action == 8) { // SIGKILL: whatever is open is lost, nothing else happens
        sink.reset();
        h.pending_rejects.clear();
        sink = h.make_sink();
        restart_positions();
        ++kills;
      } else {
        now += 500; // idle: progress-only commits become due
        ASSERT_TRUE(sink->commit_due(now, false).ok());
      }
    }
    ASSERT_TRUE(sink->commit_due(now + 1000, true).ok());
    EXPECT_GT(kills, 3);
    for (const auto& [table, ids] : log.good) {
      auto seen = table_ids(dir.str() + "/" + table);
      std::set<std::string> seen_ids;
      for (const auto& [id, n] : seen) {
        EXPECT_EQ(n, 1) << table << ": " << id << " written " << n << " times";
        seen_ids.insert(id);
      }
      EXPECT_EQ(seen_ids, ids) << table;
    }
    std::set<std::string> rejected;
    for (const auto& [id, n] : h.rejected)
      rejected.insert(id);
    EXPECT_EQ(rejected, log.bad) << "every reject reaches the DLQ (at least once)";
    // Every table records every partition's progress (progress-only commits included).
    auto pv = lake::table::open(dir.str() + "/page_view").value();
    for (const auto& tp : parts)
      EXPECT_EQ(pv->latest().txn_version(sink->app_id(tp)), 399);
  }
}

TEST(lake_sink, a_zombie_that_lost_its_partition_cannot_commit_it) {
  temp_table_dir dir;
  harness h{dir.str()};
  topic_log log{1, 100, 9};
  std::vector<kafka::topic_partition> p0{{"events", 0}};
  auto zombie = h.make_sink();
  std::vector<kafka::consumed_record> first(log.partitions[0].begin(), log.partitions[0].begin() + 40);
  ASSERT_TRUE(zombie->process(first, 0).ok());
  // The group moved partition 0 to a new owner, which resumes where the tables say (the beginning).
  auto owner = h.make_sink();
  EXPECT_EQ(owner->start_offsets(p0).at(p0[0]), -2);
  ASSERT_TRUE(owner->process(log.partitions[0], 0).ok());
  ASSERT_TRUE(owner->commit_due(10, true).ok());
  auto r = zombie->commit_due(10, true);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(lake::is(r.err(), lake::errc::conflict)) << r.err().describe();
  auto seen = table_ids(dir.str() + "/page_view");
  for (const auto& [id, n] : seen)
    EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(seen.size(), log.good["page_view"].size());
}

TEST(tables_spec, defaults_overrides_and_mistakes) {
  auto spec = test_spec();
  auto all = parse_tables_spec("pipeline: t\n", spec);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->events.size(), 2u);
  EXPECT_EQ(all->events[0].name, "page_view");
  EXPECT_EQ(all->events[0].partition_by, "date");
  EXPECT_TRUE(all->rollups.enabled);
  auto some = parse_tables_spec(R"(tables:
  events:
    - {stream: purchase, name: purchases, partition_by: none, extras: false}
  rollups:
    auto_create: false
    metrics: [views, {metric: buys, schema: purchase.avsc}]
)",
                                spec);
  ASSERT_TRUE(some.ok()) << some.err().describe();
  ASSERT_EQ(some->events.size(), 1u);
  EXPECT_EQ(some->events[0].name, "purchases");
  EXPECT_EQ(some->events[0].partition_by, "");
  EXPECT_FALSE(some->events[0].extras);
  EXPECT_FALSE(some->rollups.auto_create);
  ASSERT_EQ(some->rollups.metrics.size(), 2u);
  EXPECT_TRUE(some->rollups.metrics[1].schema_file.ends_with("/purchase.avsc"));
  for (const char* bad : {"tables: {events: [{stream: nope}]}", "tables: {events: [{stream: purchase, colour: red}]}",
                          "tables: {events: [{stream: purchase}, {stream: page_view, name: purchase}]}",
                          "tables: {eventz: []}", "tables: {rollups: {metrics: ['../x']}}"})
    EXPECT_FALSE(parse_tables_spec(bad, spec).ok()) << bad;
}

TEST(routing, events_carry_their_json_ids_and_ingest_time) {
  auto spec = test_spec();
  auto tables = parse_tables_spec("{}", spec);
  auto router = make_event_router(spec, tables->events).value();
  auto defs = router->initial_tables();
  ASSERT_EQ(defs.size(), 2u);
  EXPECT_EQ(defs[0].columns.back().name, "date");
  EXPECT_NE(lake::find_column(defs[0].columns, "_event_id"), nullptr);
  EXPECT_NE(lake::find_column(defs[0].columns, "_extra"), nullptr);
  kafka::consumed_record r;
  r.value = R"({"user_id":"u","ts":1714521600123,"url":"/"})";
  r.headers = {{kafka::headers::stream, "page_view"}, {kafka::headers::event_id, "e1"}, {kafka::headers::ingest_ts, "42"}};
  auto routed = router->route(r);
  ASSERT_TRUE(std::holds_alternative<routed_record>(routed));
  const auto& rr = std::get<routed_record>(routed);
  EXPECT_EQ(rr.table, "page_view");
  EXPECT_EQ(rr.json, r.value) << "JSON events are decoded by their table";
  EXPECT_EQ(rr.event_time_ms, 42) << "the ingest time, unless the table finds the event time";
  ASSERT_EQ(rr.overrides.size(), 2u);
  EXPECT_EQ(std::get<std::string>(rr.overrides[0].second), "e1");
  EXPECT_EQ(std::get<int64_t>(rr.overrides[1].second), 42);
  r.value = std::string{"\0\0\0\0\1x", 6};
  EXPECT_EQ(std::get<rejected_record>(router->route(r)).reason, "unsupported_format");
  r.headers = {};
  EXPECT_EQ(std::get<rejected_record>(router->route(r)).reason, "undecodable");
}

} // namespace
