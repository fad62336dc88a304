// Time travel and backfill (issue 6).
//
// 1. freshet-query's LakeService over a table written in three commits: ListTables, GetHistory,
//    ReadTable as of a version, as of a time, with projection and limit, and its errors.
// 2. Backfill: a stream's Delta table, written with common/lake in three commits as the lake
// sink writes it (JSON fast path, `_event_id`, `_ingest_ts`, `_extra` for an enrichment, date
// partitions across midnight), is replayed by `freshet-admin backfill` — a version range, and a
// time range — into topics of their own. A second freshet-aggregate (own group, input, rollups and
// late topics, serving prefix) recomputes the metrics from the replay; its rollups (topic and
// Redis) must equal an oracle over the replayed rows, while the live rollups topic and the live
// serving keys keep exactly what they held. `freshet-admin lake-read` reads the table as of a
// version and a time.
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/file_stats.hpp"
#include "common/lake/json_rows.hpp"
#include "common/lake/table.hpp"
#include "common/redis/client.hpp"
#include "common/serving/metric_store.hpp"
#include "freshet/v1/lake.grpc.pb.h"
#include "freshet/v1/rollup.pb.h"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace {

namespace fs = freshet::testing;
namespace lake = freshet::lake;
namespace kafka = freshet::kafka;
namespace v1 = freshet::v1;
using namespace std::chrono_literals;
using k = lake::data_type::kind;

constexpr int64_t window_ms = 10'000;

struct event {
  std::string id, user, country, region;
  int64_t ts = 0, amount = 0;
  std::string json() const {
    return nlohmann::json{{"user", user},   {"country", country}, {"amount", amount},  {"ts", ts},
                          {"_event_id", id}, {"_ingest_ts", ts + 7}, {"geo", {{"region", region}}}, {"id", id}}
      .dump();
  }
};

/// Three batches (one commit each) of events 150 ms apart from 23:58 UTC on: they cross midnight.
std::vector<std::vector<event>> make_batches() {
  std::mt19937_64 rng{4242};
  std::vector<std::vector<event>> batches(3);
  int64_t t = 1'714'607'880'000; // 2024-05-01T23:58:00Z
  int n = 0;
  for (auto& b : batches)
    for (int i = 0; i < 400; ++i, ++n) {
      t += 150;
      event e;
      e.id = "e" + std::to_string(n);
      e.user = "u" + std::to_string(rng() % 30);
      e.country = std::vector<std::string>{"DE", "FR", "US"}[rng() % 3];
      e.region = e.country == "US" ? "amer" : "eu";
      e.ts = t;
      e.amount = static_cast<int64_t>(rng() % 1000);
      b.push_back(e);
    }
  return batches;
}

/// The page_view table as the sink lays it out (services/compaction/routing.hpp).
lake::table_schema table_columns() {
  return {lake::column("user", lake::primitive(k::string)),
          lake::column("country", lake::primitive(k::string)),
          lake::column("amount", lake::primitive(k::long_)),
          lake::column("ts", lake::primitive(k::timestamp), false),
          lake::column("_event_id", lake::primitive(k::string)),
          lake::column("_ingest_ts", lake::primitive(k::timestamp)),
          lake::column("_extra", lake::map_of(lake::primitive(k::string), lake::primitive(k::string))),
          lake::column("date", lake::primitive(k::date))};
}

/// One commit of `events`: a data file per date, through the sink's JSON fast path.
int64_t commit_batch(lake::table& t, const std::vector<event>& events) {
  auto data_columns = lake::without_columns(t.latest().schema(), {"date"});
  lake::json_row_decoder decoder{data_columns, "", true};
  std::map<std::string, std::unique_ptr<lake::data_file_writer>> writers;
  for (const auto& e : events) {
    lake::json_row_decoder::output out;
    EXPECT_EQ(decoder.decode(e.json(), out), lake::json_row_decoder::outcome::ok);
    std::vector<std::pair<freshet::parquet::value, freshet::parquet::value>> extras;
    for (auto& [path, text] : out.extras)
      extras.emplace_back(freshet::parquet::value::bytes(path), freshet::parquet::value::bytes(text));
    out.row[6] = freshet::parquet::value::map(std::move(extras));
    auto date = lake::format_date(lake::utc_day(e.ts));
    auto& w = writers[date];
    if (!w)
      w = lake::data_file_writer::open(t.root(), {"date"}, {{"date", date}}, data_columns).value();
    EXPECT_TRUE(w->append(out.row).ok());
  }
  auto tx = t.begin();
  for (auto& [date, w] : writers)
    tx.adds.push_back(w->close().value());
  return t.commit(std::move(tx)).value().version;
}

/// Rollups of one metric, merged as readers merge them: highest revision per key, then summed over
/// source partitions. (dims, window start) -> {n, total}.
using merged = std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>>;

merged merge(const std::vector<v1::Rollup>& rollups, const std::string& metric) {
  std::map<std::tuple<std::string, int64_t, int32_t>, const v1::Rollup*> latest;
  for (const auto& r : rollups) {
    if (r.metric() != metric)
      continue;
    auto& slot = latest[{r.dims_size() ? r.dims(0) : "", r.window_start_ms(), r.source_partition()}];
    if (!slot || slot->revision() < r.revision())
      slot = &r;
  }
  merged out;
  for (const auto& [key, r] : latest) {
    auto& cell = out[{std::get<0>(key), std::get<1>(key)}];
    for (const auto& v : r->values()) {
      if (v.name() == "n")
        cell.first += v.int_value();
      if (v.name() == "total")
        cell.second += v.int_value();
    }
  }
  return out;
}

merged oracle(const std::vector<const event*>& events, bool by_region) {
  merged out;
  for (const auto* e : events) {
    auto& cell = out[{by_region ? e->region : e->country, e->ts - e->ts % window_ms}];
    cell.first += 1;
    cell.second += by_region ? 0 : e->amount;
  }
  return out;
}

std::vector<v1::Rollup> parse_rollups(const std::map<std::string, int>& values) {
  std::vector<v1::Rollup> out;
  for (const auto& [bytes, n] : values) {
    v1::Rollup r;
    if (r.ParseFromString(bytes))
      out.push_back(r);
  }
  return out;
}

std::string describe(const merged& m) {
  std::string out;
  for (const auto& [key, cell] : m)
    out += key.first + "@" + std::to_string(key.second) + "=" + std::to_string(cell.first) + "/" +
           std::to_string(cell.second) + " ";
  return out;
}

std::pair<int, std::string> run_admin(const std::string& dir, const std::string& name, std::vector<std::string> args) {
  const auto log = dir + "/" + name + ".log";
  fs::child_process p{fs::binary_path("freshet-admin"), args, log};
  auto code = p.wait(120s);
  return {code.value_or(-1), fs::read_file(log)};
}

} // namespace

TEST(lake_time_travel, backfill_version_and_time_ranges_replay_into_their_own_topic_and_rollups) {
  const auto id = std::to_string(std::random_device{}() % 1'000'000'000);
  const auto dir = fs::stack::work_dir() + "/backfill-" + id;
  const std::string pipeline = "bf" + id;
  auto topic = [&](const std::string& role) { return pipeline + "." + role; };
  std::string yaml = "pipeline: " + pipeline + "\ntopics:\n";
  for (const char* role : {"raw", "dlq", "valid", "quarantine", "enriched", "late", "rollups"})
    yaml += std::string{"  - {role: "} + role + ", name: " + topic(role) + ", partitions: 2}\n";
  yaml += "  - {role: schemas, name: " + topic("schemas") + ", cleanup: compact}\n";
  yaml += R"(streams:
  - {name: page_view, key: user, event_time: ts}
metrics:
  - name: by_country
    stream: page_view
    group_by: [country]
    window: {type: tumbling, size: 10s}
    allowed_lateness: 1s
    out_of_orderness: 1s
    idle_timeout: 0
    emit: {early_every: 200ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
  - name: by_region
    stream: page_view
    group_by: [geo.region]
    window: {type: tumbling, size: 10s}
    allowed_lateness: 1s
    out_of_orderness: 1s
    idle_timeout: 0
    emit: {early_every: 200ms}
    aggregations:
      - {name: n, count: '*'}
)";
  const auto spec_path = fs::write_file(dir + "/pipeline.yaml", yaml);
  auto spec = freshet::config::load_pipeline_spec(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), spec->topics).ok());
  const std::string bf_rollups = topic("backfill-rollups"), bf_late = topic("backfill-late");
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), {{"rollups", bf_rollups, 2, "delete", -1},
                                                            {"late", bf_late, 1, "delete", -1}})
                .ok());

  // The table: version 0 creates it, versions 1..3 hold one batch each.
  const auto batches = make_batches();
  const auto root = dir + "/lake/page_view";
  lake::table_definition def;
  def.schema = table_columns();
  def.partition_columns = {"date"};
  auto table = lake::table::create_or_open(root, def).value();
  std::vector<int64_t> after; // a time after each commit (and before the next)
  for (const auto& b : batches) {
    std::this_thread::sleep_for(30ms);
    EXPECT_EQ(commit_batch(*table, b), static_cast<int64_t>(after.size()) + 1);
    std::this_thread::sleep_for(30ms);
    after.push_back(freshet::now_ms());
  }

  // What lives in the live pipeline before: one rollup in the live topic and the live serving store.
  v1::Rollup marker;
  marker.set_pipeline(pipeline);
  marker.set_metric("by_country");
  marker.add_dims("DE");
  marker.set_window_start_ms(batches[1][0].ts - batches[1][0].ts % window_ms);
  marker.set_window_end_ms(marker.window_start_ms() + window_ms);
  marker.set_revision(1);
  marker.set_kind(v1::ROLLUP_KIND_FINAL);
  auto* mv = marker.add_values();
  mv->set_name("n");
  mv->set_kind("count");
  mv->set_int_value(-1);
  {
    auto prod = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "bf-live"));
    ASSERT_TRUE(prod.ok());
    ASSERT_TRUE((*prod)->produce({topic("rollups"), 0, "marker", marker.SerializeAsString(), {}, 0}, nullptr).ok());
    ASSERT_TRUE((*prod)->flush(30000).ok());
  }
  freshet::redis::client redis{fs::stack::redis_address()};
  freshet::serving::metric_store live_store{redis, pipeline, 3600};
  ASSERT_TRUE(live_store.write(std::vector<v1::Rollup>{marker}).ok());

  // lake-read: as of version 1 (the first batch), and as of a time between versions 2 and 3.
  {
    auto [code, out] = run_admin(dir, "read-v1", {"lake-read", "--table=" + root, "--version=1", "--columns=_event_id,ts,date"});
    ASSERT_EQ(code, 0) << out;
    std::set<std::string> ids;
    for (size_t pos = 0, nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      auto j = nlohmann::json::parse(out.substr(pos, nl - pos), nullptr, false);
      if (j.is_object() && j.contains("_event_id")) {
        ids.insert(j["_event_id"].get<std::string>());
        EXPECT_EQ(j["date"], lake::format_date(lake::utc_day(j["ts"].get<int64_t>())));
      }
    }
    std::set<std::string> want;
    for (const auto& e : batches[0])
      want.insert(e.id);
    EXPECT_EQ(ids, want);
    auto [code2, out2] = run_admin(dir, "read-ts", {"lake-read", "--table=" + root, "--timestamp=" + std::to_string(after[1]),
                                                    "--columns=_event_id", "--limit=1000"});
    ASSERT_EQ(code2, 0) << out2;
    EXPECT_NE(out2.find("version 2:"), std::string::npos) << out2;
    EXPECT_EQ(std::count(out2.begin(), out2.end(), '{'), 800) << "800 rows as of version 2";
  }

  // Backfill by time: the rows committed after `after[0]` up to `after[1]` (version 2 only).
  const auto by_time_topic = topic("backfill-by-time");
  {
    auto [code, out] = run_admin(dir, "backfill-ts",
                                 {"backfill", "--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                                  "--table=" + root, "--from-ts=" + freshet::format_utc_ms(after[0]),
                                  "--to-ts=" + std::to_string(after[1]), "--topic=" + by_time_topic});
    ASSERT_EQ(code, 0) << out;
    auto values = fs::read_committed_values(by_time_topic, batches[1].size(), 2s, 60s);
    std::map<std::string, nlohmann::json> got;
    for (const auto& [v, n] : values) {
      EXPECT_EQ(n, 1);
      auto j = nlohmann::json::parse(v);
      got[j.at("id").get<std::string>()] = j;
    }
    ASSERT_EQ(got.size(), batches[1].size());
    for (const auto& e : batches[1]) {
      ASSERT_TRUE(got.contains(e.id)) << e.id;
      const auto& j = got[e.id];
      // The enriched topic's format: the event's own fields, enrichments nested again, no sink columns.
      EXPECT_EQ(j.at("ts"), e.ts);
      EXPECT_EQ(j.at("amount"), e.amount);
      EXPECT_EQ(j.at("geo").at("region"), e.region);
      EXPECT_FALSE(j.contains("_event_id") || j.contains("_extra") || j.contains("date")) << j.dump();
    }
  }

  // Backfill by version: the rows added by versions 2 and 3, then rollups from them alone.
  const std::string bf_id = "v" + id;
  const auto bf_topic = "backfill.page_view." + bf_id;
  {
    auto [code, out] = run_admin(dir, "backfill-v",
                                 {"backfill", "--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                                  "--table=" + root, "--from-version=1", "--to-version=3", "--id=" + bf_id,
                                  "--partitions=2"});
    ASSERT_EQ(code, 0) << out;
    EXPECT_NE(out.find(bf_topic + ": 800 events"), std::string::npos) << out;
  }
  auto ports = fs::free_ports(2);
  const auto bf_prefix = "bf-serving-" + id;
  fs::child_process aggregate{
    fs::binary_path("freshet-aggregate"),
    {"--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
     "--redis.address=" + fs::stack::redis_address(), "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
     "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]), "--kafka.group=backfill-" + bf_id,
     "--service.instance=bf-1", "--state.dir=" + dir + "/state", "--aggregate.tick_ms=100",
     "--aggregate.input_topic=" + bf_topic, "--aggregate.rollups_topic=" + bf_rollups,
     "--aggregate.late_topic=" + bf_late, "--serving.prefix=" + bf_prefix},
    dir + "/aggregate.log"};

  std::vector<const event*> replayed;
  for (int b : {1, 2})
    for (const auto& e : batches[static_cast<size_t>(b)])
      replayed.push_back(&e);
  const auto want_country = oracle(replayed, false), want_region = oracle(replayed, true);
  merged got_country, got_region;
  const bool converged = fs::eventually(
    [&] {
      auto rollups = parse_rollups(fs::read_committed_values(bf_rollups, 1, 1s, 20s));
      got_country = merge(rollups, "by_country");
      got_region = merge(rollups, "by_region");
      return got_country == want_country && got_region == want_region;
    },
    120s);
  EXPECT_TRUE(converged) << "by_country got " << describe(got_country) << "\nwant " << describe(want_country)
                         << "\nby_region got " << describe(got_region) << "\nwant " << describe(want_region) << "\n"
                         << fs::read_file(dir + "/aggregate.log");
  // The backfill's serving store holds the same; the live one only what it held.
  freshet::serving::metric_store bf_store{redis, bf_prefix, 3600};
  const int64_t from = replayed.front()->ts - window_ms, to = replayed.back()->ts + window_ms;
  EXPECT_TRUE(fs::eventually([&] { return merge(bf_store.read("by_country", from, to).value(), "by_country") == want_country; },
                             30s));
  aggregate.signal(SIGTERM);
  EXPECT_EQ(aggregate.wait(30s), 0);

  auto live_country = live_store.read("by_country", from, to);
  ASSERT_TRUE(live_country.ok());
  ASSERT_EQ(live_country->size(), 1u);
  EXPECT_EQ((*live_country)[0].SerializeAsString(), marker.SerializeAsString());
  EXPECT_TRUE(live_store.read("by_region", from, to).value().empty());
  auto live_topic = fs::read_committed_values(topic("rollups"), 1, 2s, 30s);
  EXPECT_EQ(live_topic, (std::map<std::string, int>{{marker.SerializeAsString(), 1}}));
  EXPECT_TRUE(fs::read_committed_values(topic("late"), 0, 1s, 5s).empty());
}

namespace {

struct read_result {
  grpc::Status status;
  int64_t version = -1;
  std::vector<std::string> columns;
  std::vector<nlohmann::json> rows;
  int messages = 0;
};

read_result read_table(v1::LakeService::Stub& stub, const v1::ReadTableRequest& req) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 30s);
  auto reader = stub.ReadTable(&ctx, req);
  read_result out;
  v1::ReadTableResponse resp;
  while (reader->Read(&resp)) {
    ++out.messages;
    out.version = resp.version();
    if (out.messages == 1)
      out.columns.assign(resp.columns().begin(), resp.columns().end());
    for (const auto& r : resp.rows_json())
      out.rows.push_back(nlohmann::json::parse(r));
  }
  out.status = reader->Finish();
  return out;
}

} // namespace

TEST(lake_time_travel, lake_service_reads_history_and_rows_as_of_versions_and_times) {
  const auto id = std::to_string(std::random_device{}() % 1'000'000'000);
  const auto dir = fs::stack::work_dir() + "/time-travel-" + id;
  const auto spec_path = fs::write_file(dir + "/pipeline.yaml", "pipeline: tt" + id + R"(
topics:
  - {role: raw, name: tt.raw}
  - {role: dlq, name: tt.dlq}
  - {role: valid, name: tt.valid}
  - {role: quarantine, name: tt.quarantine}
  - {role: enriched, name: tt.enriched}
  - {role: late, name: tt.late}
  - {role: rollups, name: tt.rollups}
  - {role: schemas, name: tt.schemas, cleanup: compact}
streams:
  - {name: page_view, key: user, event_time: ts}
)");
  const auto batches = make_batches();
  lake::table_definition def;
  def.schema = table_columns();
  def.partition_columns = {"date"};
  auto table = lake::table::create_or_open(dir + "/lake/page_view", def).value();
  std::vector<int64_t> after;
  for (const auto& b : batches) {
    std::this_thread::sleep_for(30ms);
    ASSERT_EQ(commit_batch(*table, b), static_cast<int64_t>(after.size()) + 1);
    std::this_thread::sleep_for(30ms);
    after.push_back(freshet::now_ms());
  }
  std::filesystem::create_directories(dir + "/lake/not-a-table");

  auto ports = fs::free_ports(3);
  fs::child_process query{fs::binary_path("freshet-query"),
                          {"--pipeline.spec=" + spec_path, "--redis.address=" + fs::stack::redis_address(),
                           "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                           "--http.listen=127.0.0.1:" + std::to_string(ports[1]),
                           "--metrics.listen=127.0.0.1:" + std::to_string(ports[2]), "--lake.dir=" + dir + "/lake",
                           "--lake.max_read_rows=1000"},
                          dir + "/query.log"};
  auto stub = v1::LakeService::NewStub(
    grpc::CreateChannel("127.0.0.1:" + std::to_string(ports[0]), grpc::InsecureChannelCredentials()));
  v1::ListTablesResponse tables;
  ASSERT_TRUE(fs::eventually(
    [&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 2s);
      tables.Clear();
      return stub->ListTables(&ctx, {}, &tables).ok();
    },
    30s))
    << fs::read_file(dir + "/query.log");
  ASSERT_EQ(tables.tables_size(), 1) << "only folders with a _delta_log are tables";
  EXPECT_EQ(tables.tables(0).name(), "page_view");
  EXPECT_EQ(tables.tables(0).version(), 3);
  EXPECT_EQ(tables.tables(0).rows(), 1200);
  EXPECT_EQ(tables.tables(0).partition_columns_size(), 1);

  {
    grpc::ClientContext ctx;
    v1::GetHistoryRequest req;
    req.set_table("page_view");
    v1::GetHistoryResponse history;
    ASSERT_TRUE(stub->GetHistory(&ctx, req, &history).ok());
    ASSERT_EQ(history.commits_size(), 4);
    EXPECT_EQ(history.commits(0).version(), 3);
    EXPECT_EQ(history.commits(3).operation(), "CREATE TABLE");
    EXPECT_LT(history.commits(1).timestamp_ms(), after[1]);
    EXPECT_GT(history.commits(1).timestamp_ms(), after[0]);
  }

  auto ids_of = [](const std::vector<nlohmann::json>& rows) {
    std::multiset<std::string> ids;
    for (const auto& r : rows)
      ids.insert(r.at("_event_id").get<std::string>());
    return ids;
  };
  auto ids_upto = [&](size_t n) {
    std::multiset<std::string> ids;
    for (size_t b = 0; b < n; ++b)
      for (const auto& e : batches[b])
        ids.insert(e.id);
    return ids;
  };

  // As of version 1, every column: the first batch, typed as the table says.
  v1::ReadTableRequest req;
  req.set_table("page_view");
  req.set_version(1);
  auto v1_rows = read_table(*stub, req);
  ASSERT_TRUE(v1_rows.status.ok()) << v1_rows.status.error_message();
  EXPECT_EQ(v1_rows.version, 1);
  EXPECT_EQ(v1_rows.columns, (std::vector<std::string>{"user", "country", "amount", "ts", "_event_id", "_ingest_ts", "_extra", "date"}));
  EXPECT_EQ(ids_of(v1_rows.rows), ids_upto(1));
  std::map<std::string, const event*> by_id;
  for (const auto& b : batches)
    for (const auto& e : b)
      by_id[e.id] = &e;
  for (const auto& r : v1_rows.rows) {
    const auto& e = *by_id.at(r.at("_event_id").get<std::string>());
    EXPECT_EQ(r.at("ts"), e.ts);
    EXPECT_EQ(r.at("_ingest_ts"), e.ts + 7);
    EXPECT_EQ(r.at("amount"), e.amount);
    EXPECT_EQ(r.at("country"), e.country);
    EXPECT_EQ(r.at("date"), lake::format_date(lake::utc_day(e.ts)));
    EXPECT_EQ(r.at("_extra").at("geo.region"), e.region);
  }

  // As of a time between versions 2 and 3, two columns: the first two batches.
  req.set_timestamp_ms(after[1]);
  req.add_columns("_event_id");
  req.add_columns("date");
  auto t_rows = read_table(*stub, req);
  ASSERT_TRUE(t_rows.status.ok()) << t_rows.status.error_message();
  EXPECT_EQ(t_rows.version, 2);
  EXPECT_EQ(ids_of(t_rows.rows), ids_upto(2));
  EXPECT_EQ(t_rows.rows.front().size(), 2u);

  // Latest with a limit; the server's cap (1000) holds without one.
  req.clear_as_of();
  req.set_limit(5);
  EXPECT_EQ(read_table(*stub, req).rows.size(), 5u);
  req.set_limit(0);
  auto capped = read_table(*stub, req);
  EXPECT_EQ(capped.version, 3);
  EXPECT_EQ(capped.rows.size(), 1000u);

  // Errors: a version the log never had, a time before the table, a path, an unknown column.
  req.set_version(99);
  EXPECT_EQ(read_table(*stub, req).status.error_code(), grpc::StatusCode::NOT_FOUND);
  req.set_timestamp_ms(after[0] - 3'600'000);
  EXPECT_EQ(read_table(*stub, req).status.error_code(), grpc::StatusCode::NOT_FOUND);
  req.clear_as_of();
  req.set_table("../lake/page_view");
  EXPECT_EQ(read_table(*stub, req).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_table("page_view");
  req.add_columns("nope");
  EXPECT_EQ(read_table(*stub, req).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_table("not-a-table");
  req.clear_columns();
  EXPECT_EQ(read_table(*stub, req).status.error_code(), grpc::StatusCode::NOT_FOUND);
}
