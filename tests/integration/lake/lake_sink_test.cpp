// freshet-compaction as the lake writer, against a real broker: enriched events land in one Delta
// table per stream exactly once although the writer is SIGKILLed again and again while it writes;
// delta-rs, pyarrow and DuckDB then read every event once. Rejects go to the DLQ; rollups go to one
// table per metric.
#include <algorithm>
#include <csignal>
#include <limits>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "common/base/clock.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/lake/table.hpp"
#include "common/config/metrics_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/parquet/reader.hpp"
#include "common/serving/rollup_codec.hpp"
#include "common/window/window_operator.hpp"
#include "services/aggregate/metric_plan.hpp"
#include "freshet/v1/rollup.pb.h"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace {

namespace fs = freshet::testing;
namespace lake = freshet::lake;
using namespace std::chrono_literals;

std::string venv_python() {
  if (const char* p = std::getenv("FRESHET_PYTHON_READERS"))
    return p;
  std::string cache = std::getenv("FRESHET_CACHE") ? std::getenv("FRESHET_CACHE")
                                                   : std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") +
                                                       "/.cache/freshet";
  return cache + "/venv/bin/python";
}

std::pair<int, std::string> lake_check(const std::string& args) {
  const std::string cmd =
    "'" + venv_python() + "' '" FRESHET_SOURCE_DIR "/tests/integration/lake/lake_check.py' " + args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p)
    return {-1, "popen failed"};
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// A pipeline spec naming this test's topics, with two streams and their tables.
struct test_pipeline {
  std::string dir, spec, lake, enriched, rollups, dlq;
};

test_pipeline make_pipeline(const std::string& name) {
  auto topics = fs::make_topics(name, {"enriched", "rollups", "dlq"}, 4);
  test_pipeline p;
  p.dir = fs::stack::work_dir() + "/" + name;
  p.lake = p.dir + "/lake";
  p.enriched = topics[0];
  p.rollups = topics[1];
  p.dlq = topics[2];
  const std::string schemas = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas/";
  p.spec = fs::write_file(p.dir + "/pipeline.yaml", R"(pipeline: lake-test
topics:
  - {role: raw, name: unused.raw}
  - {role: dlq, name: )" + p.dlq + R"(}
  - {role: valid, name: unused.valid}
  - {role: quarantine, name: unused.quarantine}
  - {role: enriched, name: )" + p.enriched + R"(}
  - {role: late, name: unused.late}
  - {role: rollups, name: )" + p.rollups + R"(}
  - {role: schemas, name: unused.schemas}
streams:
  - {name: page_view, schema: )" + schemas + R"(page_view.avsc, key: user_id, event_time: ts}
  - {name: purchase, schema: )" + schemas + R"(purchase.avsc, key: user_id, event_time: ts}
tables:
  events:
    - {stream: page_view}
    - {stream: purchase, name: purchases}
  rollups:
    metrics: [page_views_per_minute]
metrics:
  - name: page_views_per_minute
    stream: page_view
    group_by: [user.country]
    window: {type: tumbling, size: 1m}
    aggregations:
      - {name: views, count: '*'}
      - {name: duration, quantiles: duration_ms, q: [0.5, 0.95]}
)");
  return p;
}

struct compaction_process {
  std::unique_ptr<fs::child_process> proc;
  int metrics_port = 0;

  /// Until this process has committed at least once: a kill then lands while it is really writing.
  [[nodiscard]] bool wait_until_committing(std::chrono::milliseconds timeout) const {
    return fs::eventually([&] { return fs::scrape_metric(metrics_port, "freshet_lake_commits_total") >= 1; }, timeout);
  }
};

compaction_process start_compaction(const test_pipeline& p, const std::string& instance,
                                    std::vector<std::string> extra = {}) {
  auto ports = fs::free_ports(2);
  compaction_process c;
  c.metrics_port = ports[1];
  std::vector<std::string> args{"--pipeline.spec=" + p.spec,
                                "--kafka.bootstrap=" + fs::stack::bootstrap(),
                                "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                                "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]),
                                "--lake.dir=" + p.lake,
                                "--kafka.group=" + p.enriched + ".lake",
                                "--service.instance=" + instance,
                                "--lake.roll_ms=300",
                                "--lake.roll_bytes=300000",
                                "--lake.idle_commit_ms=2000",
                                "--lake.max_batch=500"};
  args.insert(args.end(), extra.begin(), extra.end());
  c.proc = std::make_unique<fs::child_process>(fs::binary_path("freshet-compaction"), args,
                                               p.dir + "/compaction-" + instance + ".log");
  return c;
}

/// What the publisher sent: good events per table, and the rejects.
struct published {
  std::map<std::string, std::vector<std::string>> ids_by_table;
  std::set<std::string> rejected_ids;
};

/// Publishes `n` enriched events (JSON, with the headers enrich keeps) at `per_second`, spread over
/// three days of event time: page views and every fifth a purchase; every 97th is a reject (an
/// unknown stream, or an event without a required field).
class event_publisher {
 public:
  event_publisher(const std::string& topic, int n, int per_second) {
    for (int i = 0; i < n; ++i) {
      auto id = "ev-" + std::to_string(i);
      if (i % 97 == 13)
        sent_.rejected_ids.insert(id);
      else
        sent_.ids_by_table[i % 5 == 0 ? "purchases" : "page_view"].push_back(id);
    }
    thread_ = std::thread{[this, topic, n, per_second] {
      auto p = freshet::kafka::producer::create(freshet::kafka::producer_config(fs::stack::bootstrap(), "lake-test"));
      if (!p) {
        failed_ = n;
        return;
      }
      const int64_t base_ts = 1'714'521'600'000; // 2024-05-01T00:00Z
      auto start = freshet::mono_ns();
      for (int i = 0; i < n; ++i) {
        auto due = start + static_cast<int64_t>(i) * 1'000'000'000LL / per_second;
        while (freshet::mono_ns() < due)
          std::this_thread::sleep_for(200us);
        const int64_t ts = base_ts + static_cast<int64_t>(i) * (3LL * 86'400'000 / n);
        const auto user = "u" + std::to_string(i % 50);
        std::string stream = i % 5 == 0 ? "purchase" : "page_view";
        nlohmann::json v;
        if (stream == "purchase")
          v = {{"user_id", user}, {"ts", ts}, {"order_id", "o-" + std::to_string(i)}, {"amount", i % 1000 + 0.25},
               {"currency", "EUR"}, {"items", 1 + i % 3}, {"amount_usd", i % 1000 * 1.1}};
        else
          v = {{"user_id", user}, {"ts", ts}, {"url", "/p/" + std::to_string(i % 300)}, {"referrer", nullptr},
               {"user_agent", "test-agent"}, {"ip", "10.0.0." + std::to_string(i % 200)},
               {"user", {{"country", i % 2 ? "DE" : "FR"}, {"segment", "new"}}}};
        if (i % 97 == 13) {
          if (i % 2)
            stream = "no_such_stream";
          else
            v.erase(stream == "purchase" ? "order_id" : "url"); // a required field
        }
        freshet::kafka::outgoing_record rec{topic, -1, user, v.dump(),
                                            {{freshet::kafka::headers::stream, stream},
                                             {freshet::kafka::headers::event_id, "ev-" + std::to_string(i)},
                                             {freshet::kafka::headers::ingest_ts, std::to_string(ts + 5)}},
                                            0};
        while (!(*p)->produce(rec, [this](const freshet::kafka::delivery_report& r) { (r.ok ? acked_ : failed_)++; }).ok())
          (void) (*p)->flush(100);
      }
      (void) (*p)->flush(60000);
    }};
  }
  ~event_publisher() { join(); }
  bool join() {
    if (thread_.joinable())
      thread_.join();
    return failed_ == 0;
  }
  [[nodiscard]] const published& sent() const { return sent_; }

 private:
  published sent_;
  std::atomic<int> acked_{0}, failed_{0};
  std::thread thread_;
};

int64_t committed_rows(const std::string& root) {
  auto t = lake::table::open(root);
  if (!t)
    return -1;
  return (*t)->latest().summary().records;
}

/// The DLQ's records by event id (reason header checked).
std::map<std::string, int> dlq_ids(const std::string& topic, size_t expected) {
  std::map<std::string, int> out;
  auto c = freshet::kafka::consumer::create(
    freshet::kafka::consumer_config(fs::stack::bootstrap(), "dlq-check-" + std::to_string(freshet::now_ms()), "dlq-check"));
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE((*c)->subscribe({topic}).ok());
  size_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline && seen < expected) {
    auto batch = (*c)->poll_batch(1000, 200);
    if (!batch)
      continue;
    for (const auto& r : *batch) {
      ++seen;
      const auto* id = r.find_header(freshet::kafka::headers::event_id);
      const auto* reason = r.find_header(freshet::kafka::headers::reason);
      EXPECT_TRUE(reason && (*reason == "unknown_stream" || *reason == "schema_mismatch" || *reason == "undecodable"))
        << (reason ? *reason : "none");
      EXPECT_NE(r.find_header(freshet::kafka::headers::source_offset), nullptr);
      if (id)
        ++out[*id];
    }
  }
  (*c)->close();
  return out;
}

void expect_readers_agree(const test_pipeline& p, const std::string& table, const std::vector<std::string>& ids,
                          const nlohmann::json& extra = {}) {
  nlohmann::json expected{{"event_ids", ids}, {"columns", {"_event_id", "_ingest_ts", "user_id", "ts"}},
                          {"stats_columns", {"ts", "user_id"}}, {"min_versions", 5}};
  for (auto it = extra.begin(); it != extra.end(); ++it)
    expected[it.key()] = it.value();
  auto path = fs::write_file(p.dir + "/expected-" + table + ".json", expected.dump());
  auto [code, out] = lake_check("check-sink '" + p.lake + "/" + table + "' '" + path + "'");
  EXPECT_EQ(code, 0) << table << ": " << out;
}

class lake_sink_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(venv_python()))
      GTEST_SKIP() << "no Python venv at " << venv_python() << " (run scripts/install-deps)";
  }
};

TEST_F(lake_sink_test, every_event_lands_exactly_once_although_the_writer_is_killed_again_and_again) {
  auto p = make_pipeline("lake-kill");
  const int n = 24000;
  event_publisher publisher{p.enriched, n, 1200}; // ~20 s of traffic, so every kill lands mid-stream
  std::mt19937 rng{std::random_device{}()};
  auto writer = start_compaction(p, "kill-1");
  int kills = 0;
  for (; kills < 6; ++kills) {
    ASSERT_TRUE(writer.wait_until_committing(60s)) << "no commit before kill " << kills << "\n"
                                                   << fs::read_file(writer.proc->log_file());
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>{50, 1500}(rng)));
    writer.proc->signal(SIGKILL);
    ASSERT_TRUE(writer.proc->wait(10s).has_value());
    writer = start_compaction(p, "kill-1");
  }
  ASSERT_TRUE(publisher.join());
  const auto& sent = publisher.sent();
  const auto want_pv = static_cast<int64_t>(sent.ids_by_table.at("page_view").size());
  const auto want_pu = static_cast<int64_t>(sent.ids_by_table.at("purchases").size());
  ASSERT_TRUE(fs::eventually(
    [&] { return committed_rows(p.lake + "/page_view") >= want_pv && committed_rows(p.lake + "/purchases") >= want_pu; },
    180s))
    << "page_view " << committed_rows(p.lake + "/page_view") << "/" << want_pv << ", purchases "
    << committed_rows(p.lake + "/purchases") << "/" << want_pu << "\n"
    << fs::read_file(writer.proc->log_file());
  std::this_thread::sleep_for(3s); // anything more would be a duplicate: give it the chance to show
  writer.proc->signal(SIGTERM);
  auto code = writer.proc->wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << fs::read_file(writer.proc->log_file());
  EXPECT_EQ(committed_rows(p.lake + "/page_view"), want_pv);
  EXPECT_EQ(committed_rows(p.lake + "/purchases"), want_pu);
  EXPECT_GE(kills, 5);

  // The log: checkpoints were written, and our own reader agrees with a replay at an older version.
  auto t = lake::table::open(p.lake + "/page_view").value();
  auto listing = lake::list_log(t->store()).value();
  EXPECT_FALSE(listing.checkpoints.empty());
  EXPECT_TRUE(std::filesystem::exists(p.lake + "/page_view/_delta_log/_last_checkpoint"));

  nlohmann::json pv_row = {{"_event_id", "ev-1"}, {"user_id", "u1"}, {"ts", (1'714'521'600'000 + 3LL * 86'400'000 / n) * 1000},
                           {"url", "/p/1"}};
  expect_readers_agree(p, "page_view", sent.ids_by_table.at("page_view"),
                       {{"check_values", {pv_row}}, {"columns", {"_event_id", "_ingest_ts", "user_id", "ts", "url", "_extra", "date"}}});
  expect_readers_agree(p, "purchases", sent.ids_by_table.at("purchases"));

  // Rejects are in the DLQ (at least once), with their reason.
  auto dlq = dlq_ids(p.dlq, sent.rejected_ids.size());
  std::set<std::string> got;
  for (const auto& [id, count] : dlq)
    got.insert(id);
  EXPECT_EQ(got, sent.rejected_ids);
}

/// The rows of a rollup table, read back with our reader: column name -> value per row.
std::vector<std::map<std::string, freshet::parquet::value>> rollup_rows(const std::string& root) {
  std::vector<std::map<std::string, freshet::parquet::value>> out;
  auto t = lake::table::open(root).value();
  for (const auto& [path, add] : t->latest().files()) {
    auto r = freshet::parquet::reader::open_file(t->root() + "/" + lake::decode_path(path)).value();
    auto rows = r.read_all();
    EXPECT_TRUE(rows.ok());
    if (!rows.ok())
      continue;
    for (const auto& row : *rows) {
      std::map<std::string, freshet::parquet::value> named;
      for (size_t i = 0; i < row.size(); ++i)
        named[r.file_schema().fields()[i].name] = row[i];
      out.push_back(std::move(named));
    }
  }
  return out;
}

std::map<std::string, std::string> string_map(const freshet::parquet::value& v) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; v.type() == freshet::parquet::value::kind::map && i < v.map_size(); ++i)
    out[v.map_key(i).as_bytes()] = v.map_value(i).as_bytes();
  return out;
}

/// The aggregate service's rollups of `metric` (as declared in the spec) for `events` (event time,
/// country, duration) from source partition `partition`: its planner, its window engine and its
/// Protobuf encoding (common/serving/rollup_codec), every emission — early, final — as it would
/// publish them.
std::vector<std::pair<std::string, std::string>> aggregate_rollups(const std::string& spec_path, const std::string& metric,
                                                                   const std::vector<std::tuple<int64_t, std::string, int64_t>>& events,
                                                                   int32_t partition) {
  auto spec = freshet::config::load_pipeline_spec(spec_path).value();
  auto declared = freshet::config::load_metrics_spec(spec).value();
  auto plans = freshet::aggregate::plan_metrics({}, declared).value();
  auto plan = std::find_if(plans.begin(), plans.end(), [&](const auto& p) { return p.spec.name == metric; });
  EXPECT_NE(plan, plans.end());
  auto op = freshet::window::window_operator::create(plan->spec).value();
  freshet::window::output_batch out;
  const int64_t now = freshet::now_ms();
  const std::vector<freshet::partition_id> parts{freshet::partition_id{partition}};
  op->assign(parts, now, out);
  const auto fields = plan->spec.input_fields();
  for (const auto& [time, country, duration] : events) {
    std::vector<std::string_view> dims{country};
    std::vector<freshet::window::field_value> values;
    for (const auto& f : fields)
      values.push_back(f == "duration_ms" ? freshet::window::field_value{duration} : freshet::window::field_value{});
    EXPECT_TRUE(op->on_event({freshet::partition_id{partition}, time, dims, values, now}, out).ok());
  }
  op->finish(now, out);
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const auto& e : out.emissions)
    keyed.emplace_back(freshet::serving::rollup_key(e.metric, e.dims, e.window, partition),
                       freshet::serving::to_rollup(e, plan->spec, spec.name, partition, now).SerializeAsString());
  return keyed;
}

TEST_F(lake_sink_test, protobuf_rollups_go_to_one_table_per_metric) {
  auto p = make_pipeline("lake-rollups");
  auto writer = start_compaction(p, "rollups-1");
  auto prod = freshet::kafka::producer::create(freshet::kafka::producer_config(fs::stack::bootstrap(), "rollups"));
  ASSERT_TRUE(prod.ok());
  const int64_t minute = 60'000, start = 1'714'521'600'000;
  // A declared metric: the aggregate service's own rollups, from two source partitions.
  std::map<std::pair<int64_t, std::string>, int64_t> views; // (window start, country) -> events
  size_t published = 0;
  for (int32_t partition : {0, 1}) {
    std::vector<std::tuple<int64_t, std::string, int64_t>> events;
    for (int w = 0; w < 30; ++w)
      for (int j = 0; j <= (w + partition) % 3; ++j) {
        std::string country = (w + j) % 2 ? "DE" : "FR";
        events.emplace_back(start + w * minute + j * 1000 + partition, country, 100 * (j + 1));
        ++views[{start + w * minute, country}];
      }
    for (const auto& [key, bytes] : aggregate_rollups(p.spec, "page_views_per_minute", events, partition)) {
      ASSERT_TRUE((*prod)->produce({p.rollups, -1, key, bytes, {}, 0}, [](const auto&) {}).ok());
      ++published;
    }
  }
  // A metric the spec does not list, with every kind of value (top-k too).
  for (int w = 0; w < 30; ++w) {
    freshet::v1::Rollup r;
    r.set_pipeline("lake-test");
    r.set_metric("purchases_per_minute");
    r.add_dims(w % 2 ? "DE" : "FR");
    r.set_window_start_ms(start + w * minute);
    r.set_window_end_ms(start + (w + 1) * minute);
    r.set_revision(3);
    r.set_kind(freshet::v1::ROLLUP_KIND_FINAL);
    r.set_source_partition(w % 4);
    r.set_watermark_ms(start + (w + 1) * minute + 5000);
    auto* count = r.add_values();
    count->set_name("orders");
    count->set_kind("count");
    count->set_int_value(w * 10);
    auto* q = r.add_values();
    q->set_name("amount");
    q->set_kind("quantiles");
    auto* p50 = q->mutable_quantiles()->add_values();
    p50->set_q(0.5);
    p50->set_value(w * 1.5);
    auto* top = r.add_values();
    top->set_name("items");
    top->set_kind("top_k");
    auto* e = top->mutable_top_k()->add_entries();
    e->set_item("/p/1");
    e->set_count(7);
    ASSERT_TRUE((*prod)->produce({p.rollups, -1, r.metric(), r.SerializeAsString(), {}, 0}, [](const auto&) {}).ok());
  }
  ASSERT_TRUE((*prod)->produce({p.rollups, -1, "junk", "not a rollup \xff", {}, 0}, [](const auto&) {}).ok());
  ASSERT_TRUE((*prod)->flush(10000).ok());
  ASSERT_TRUE(fs::eventually(
    [&] {
      return committed_rows(p.lake + "/rollup_page_views_per_minute") == static_cast<int64_t>(published) &&
             committed_rows(p.lake + "/rollup_purchases_per_minute") == 30;
    },
    60s))
    << committed_rows(p.lake + "/rollup_page_views_per_minute") << " of " << published << " rollups, "
    << committed_rows(p.lake + "/rollup_purchases_per_minute") << " of 30; skipped "
    << fs::scrape_metric(writer.metrics_port, "freshet_lake_records_skipped_total") << ", rejected "
    << fs::scrape_metric(writer.metrics_port, "freshet_lake_records_rejected_total") << "\n"
    << fs::read_file(writer.proc->log_file());
  writer.proc->signal(SIGTERM);
  EXPECT_EQ(writer.proc->wait(30s), 0);

  // Every emission is a row; the highest revision per (window, country, partition), summed over the
  // partitions, gives the metric's counts.
  std::map<std::tuple<int64_t, std::string, int64_t>, std::pair<int64_t, int64_t>> latest; // -> (revision, views)
  for (const auto& row : rollup_rows(p.lake + "/rollup_page_views_per_minute")) {
    auto dims = string_map(row.at("dimensions"));
    ASSERT_EQ(dims.size(), 1u);
    ASSERT_TRUE(dims.contains("user.country")) << "dims are named by the metric's group_by";
    std::map<std::string, double> measures;
    for (size_t i = 0; i < row.at("measures").map_size(); ++i)
      measures[row.at("measures").map_key(i).as_bytes()] = row.at("measures").map_value(i).as_double();
    EXPECT_TRUE(measures.contains("duration@0.5") && measures.contains("duration@0.95")) << "quantiles by q";
    const auto kind = row.at("kind").as_bytes();
    EXPECT_TRUE(kind == "early" || kind == "final") << kind;
    // finish() closes every window at the engine's end of time: no timestamp, kept in _extra.
    if (row.at("watermark").is_null()) {
      EXPECT_EQ(string_map(row.at("_extra")).at("watermark_ms"), std::to_string(std::numeric_limits<int64_t>::max()));
    }
    auto& slot = latest[{row.at("window_start").as_int64() / 1000, dims.at("user.country"), row.at("source_partition").as_int32()}];
    if (row.at("revision").as_int64() > slot.first)
      slot = {row.at("revision").as_int64(), static_cast<int64_t>(measures.at("views"))};
  }
  std::map<std::pair<int64_t, std::string>, int64_t> got;
  for (const auto& [key, v] : latest)
    got[{std::get<0>(key), std::get<1>(key)}] += v.second;
  EXPECT_EQ(got, views);

  for (const auto& row : rollup_rows(p.lake + "/rollup_purchases_per_minute")) {
    EXPECT_TRUE(string_map(row.at("dimensions")).contains("dim0")) << "a metric the spec does not list";
    std::set<std::string> measures;
    for (size_t i = 0; i < row.at("measures").map_size(); ++i)
      measures.insert(row.at("measures").map_key(i).as_bytes());
    EXPECT_EQ(measures, (std::set<std::string>{"amount@0.5", "orders"}));
    EXPECT_EQ(row.at("revision").as_int64(), 3);
    EXPECT_EQ(row.at("kind").as_bytes(), "final");
    EXPECT_EQ(string_map(row.at("_extra")).at("top_k.items"), R"([{"count":7,"error":0,"item":"/p/1"}])");
  }
  auto [code, out] = lake_check("count '" + p.lake + "/rollup_purchases_per_minute'");
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out.substr(0, out.find('\n')), "30") << out;
  auto dlq = dlq_ids(p.dlq, 1);
  (void) dlq; // the junk record has no event id; dlq_ids checked its reason header
}

TEST_F(lake_sink_test, json_rollups_work_too) {
  auto p = make_pipeline("lake-json-rollups");
  auto writer = start_compaction(p, "json-rollups-1", {"--lake.rollup_format=json"});
  auto prod = freshet::kafka::producer::create(freshet::kafka::producer_config(fs::stack::bootstrap(), "rollups"));
  ASSERT_TRUE(prod.ok());
  for (int w = 0; w < 10; ++w) {
    nlohmann::json v{{"metric", "page_views_per_minute"},
                     {"window_start", 1'714'521'600'000 + w * 60'000},
                     {"window_end", 1'714'521'600'000 + (w + 1) * 60'000},
                     {"dimensions", {{"country", "DE"}}},
                     {"measures", {{"views", w}}},
                     {"emitted_by", "test"}};
    ASSERT_TRUE((*prod)->produce({p.rollups, -1, "k", v.dump(), {}, 0}, [](const auto&) {}).ok());
  }
  ASSERT_TRUE((*prod)->flush(10000).ok());
  ASSERT_TRUE(fs::eventually([&] { return committed_rows(p.lake + "/rollup_page_views_per_minute") == 10; }, 60s))
    << fs::read_file(writer.proc->log_file());
  writer.proc->signal(SIGTERM);
  EXPECT_EQ(writer.proc->wait(30s), 0);
  for (const auto& row : rollup_rows(p.lake + "/rollup_page_views_per_minute")) {
    EXPECT_EQ(string_map(row.at("dimensions")).at("country"), "DE");
    EXPECT_EQ(string_map(row.at("_extra")).at("emitted_by"), "test");
    EXPECT_TRUE(row.at("revision").is_null());
  }
}

} // namespace
