// freshet-aggregate against the real broker and Redis.
//
// 1. The serving store's versioned writes (serving::metric_store): a lower or equal revision never
//    replaces a higher one, tombstones of replaced session bounds hold back their older results,
//    and windows carry a TTL.
// 2. The stage runtime's hooks the service relies on (common/stream): ticks call the processor
//    with empty batches when no records come, `on_committed` sees exactly the committed outputs,
//    and the state's generation and held partitions follow the assignment.
// 3. The crash test: a known JSON event stream (`freshet.stream` headers, event time as record
//    timestamp and in the payload, late and too-late events, undecodable records) flows into the
//    enriched topic while `freshet-aggregate` is SIGKILLed at random moments (each time after it
//    has committed) at least five times. Afterwards the committed rollups topic (highest revision
//    per key), the Redis serving store (directly and through freshet-query's gRPC QueryMetric and
//    GetEventCounts) must equal an oracle computed here; the late topic must hold every too-late
//    event exactly once per metric it missed, and the DLQ every undecodable record once.
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "common/base/clock.hpp"
#include "common/config/metrics_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "common/redis/client.hpp"
#include "common/serving/metric_store.hpp"
#include "common/serving/rollup_codec.hpp"
#include "common/serving/rollup_merge.hpp"
#include "common/state/kv_store.hpp"
#include "common/stream/stage.hpp"
#include "freshet/v1/query.grpc.pb.h"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
namespace v1 = freshet::v1;
using namespace std::chrono_literals;

namespace {

std::string unique_id() { return std::to_string(std::random_device{}() % 1'000'000'000); }

v1::Rollup rollup(const std::string& metric, std::vector<std::string> dims, int64_t start, int64_t end,
                  uint64_t revision, int32_t partition, int64_t count) {
  v1::Rollup r;
  r.set_metric(metric);
  for (auto& d : dims)
    r.add_dims(d);
  r.set_window_start_ms(start);
  r.set_window_end_ms(end);
  r.set_revision(revision);
  r.set_source_partition(partition);
  r.set_kind(v1::ROLLUP_KIND_EARLY);
  auto* v = r.add_values();
  v->set_name("n");
  v->set_kind("count");
  v->set_int_value(count);
  return r;
}

} // namespace

// --- 1. The serving store ------------------------------------------------------------------------

TEST(aggregate_serving_store, writes_are_versioned_and_tombstones_hold_back_older_results) {
  freshet::redis::client redis{fs::stack::redis_address()};
  freshet::serving::metric_store store{redis, "agg-" + unique_id(), 3600};
  auto w = store.write(std::vector<v1::Rollup>{rollup("m", {"DE"}, 0, 1000, 3, 0, 30), rollup("m", {"DE"}, 0, 1000, 2, 1, 20)});
  ASSERT_TRUE(w.ok()) << w.err().describe();
  EXPECT_EQ(w->written, 2u);
  // Older or equal revisions of the same (window, group, partition) are stale; newer ones land.
  w = store.write(std::vector<v1::Rollup>{rollup("m", {"DE"}, 0, 1000, 2, 0, 99), rollup("m", {"DE"}, 0, 1000, 3, 0, 99),
                                          rollup("m", {"DE"}, 0, 1000, 4, 1, 40)});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->written, 1u);
  EXPECT_EQ(w->stale, 2u);
  auto read = store.read("m", 0, 2000);
  ASSERT_TRUE(read.ok());
  std::map<int32_t, int64_t> by_partition;
  for (const auto& r : *read)
    by_partition[r.source_partition()] = r.values(0).int_value();
  EXPECT_EQ(by_partition, (std::map<int32_t, int64_t>{{0, 30}, {1, 40}}));

  // A session [5000, 5400) grows to [5000, 5900) (revision 5): the old bounds get a tombstone, and
  // a late replay of the old bounds' revision 4 cannot bring them back.
  ASSERT_TRUE(store.write(std::vector<v1::Rollup>{rollup("s", {"u"}, 5000, 5400, 4, 0, 1)}).ok());
  auto grown = rollup("s", {"u"}, 5000, 5900, 5, 0, 2);
  auto* b = grown.add_replaces();
  b->set_start_ms(5000);
  b->set_end_ms(5400);
  ASSERT_TRUE(store.write(std::vector<v1::Rollup>{grown}).ok());
  ASSERT_TRUE(store.write(std::vector<v1::Rollup>{rollup("s", {"u"}, 5000, 5400, 4, 0, 1)}).ok());
  read = store.read("s", 0, 10000);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].window_end_ms(), 5900);

  // Windows expire with the TTL.
  auto ttl = redis.command({"TTL", store.window_key("m", 0, 1000)});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 3000);
  EXPECT_LE(ttl->integer, 3600);
  // Many entries in one call (several script runs).
  std::vector<v1::Rollup> many;
  for (int i = 0; i < 450; ++i)
    many.push_back(rollup("many", {"k" + std::to_string(i)}, 0, 1000, 1, 0, i));
  w = store.write(many);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->written, 450u);
  read = store.read("many", 0, 1000);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 450u);
}

// --- 2. The stage's hooks --------------------------------------------------------------------------

TEST(aggregate_stage_hooks, ticks_commit_hook_and_generations) {
  auto id = unique_id();
  const std::string in = "hooks-in-" + id, out = "hooks-out-" + id, changelog = "hooks-cl-" + id;
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), {{"in", in, 2, "delete", -1},
                                                             {"out", out, 2, "delete", -1},
                                                             {"cl", changelog, 2, "compact", -1}})
                .ok());
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  prometheus::Registry registry;
  freshet::stream::stage_config sc;
  sc.name = "hooks";
  sc.inputs = {in};
  sc.consumer = kafka::consumer_config(fs::stack::bootstrap(), "hooks-" + id, "hooks");
  sc.producer = kafka::producer_config(fs::stack::bootstrap(), "hooks");
  sc.transactional_id = "hooks-" + id;
  sc.changelog_topic = changelog;
  sc.open_store = [] { return freshet::result<std::unique_ptr<freshet::state::kv_store>>{freshet::state::make_memory_store()}; };
  sc.tick_interval_ms = 50;

  struct seen_t {
    std::mutex mu;
    int ticks = 0, records = 0, tick_outputs = 0;
    std::set<std::string> committed;
    std::set<int32_t> held;
    bool generations_ok = true;
  };
  auto seen = std::make_shared<seen_t>();
  sc.on_committed = [seen, changelog](std::vector<kafka::outgoing_record>& outs) {
    std::lock_guard lock{seen->mu};
    for (const auto& r : outs) {
      EXPECT_NE(r.topic, changelog) << "changelog records are not handed to the hook";
      seen->committed.insert(r.value);
    }
  };
  auto stage = freshet::stream::spawn_stage(
    sys, sc,
    [seen, out](const std::vector<kafka::consumed_record>& batch, freshet::stream::stage_state& state)
      -> freshet::result<std::vector<kafka::outgoing_record>> {
      std::lock_guard lock{seen->mu};
      std::vector<kafka::outgoing_record> outs;
      for (const auto& tp : state.held()) {
        seen->held.insert(tp.partition);
        seen->generations_ok = seen->generations_ok && state.generation(tp) != 0;
      }
      if (batch.empty()) {
        // A tick: one output every fifth tick, so that some ticks open no transaction.
        if (++seen->ticks % 5 == 0) {
          outs.push_back({out, 0, "tick", "tick-" + std::to_string(seen->ticks), {}, 0});
          ++seen->tick_outputs;
        }
        return outs;
      }
      for (const auto& r : batch) {
        ++seen->records;
        kafka::topic_partition tp{r.topic, r.partition};
        EXPECT_NE(state.generation(tp), 0u);
        state.put(tp, r.key, r.value);
        outs.push_back({out, -1, r.key, r.value, {}, 0});
      }
      return outs;
    },
    registry);
  ASSERT_TRUE(stage.ok()) << stage.err().describe();
  {
    auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "hooks-feed"));
    ASSERT_TRUE(p.ok());
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE((*p)->produce({in, -1, "k" + std::to_string(i), "v" + std::to_string(i), {}, 0}, nullptr).ok());
    ASSERT_TRUE((*p)->flush(30000).ok());
  }
  ASSERT_TRUE(fs::eventually(
    [&] {
      std::lock_guard lock{seen->mu};
      return seen->records >= 100 && seen->tick_outputs >= 3 && seen->committed.size() >= 103;
    },
    60s));
  freshet::stream::stop_stage(sys, *stage, 15000);
  auto read = fs::read_committed_values(out, 1, 3s, 60s);
  std::lock_guard lock{seen->mu};
  EXPECT_GT(seen->ticks, 10);
  EXPECT_TRUE(seen->generations_ok);
  EXPECT_EQ(seen->held, (std::set<int32_t>{0, 1}));
  std::set<std::string> topic;
  for (const auto& [v, n] : read) {
    EXPECT_EQ(n, 1) << v;
    topic.insert(v);
  }
  EXPECT_EQ(seen->committed, topic) << "the hook saw exactly what read_committed readers see";
}

// --- 3. The crash test ---------------------------------------------------------------------------

namespace {

constexpr int partitions = 3;

const char* metrics_yaml = R"(
metrics:
  - name: by_country
    stream: page_view
    filter: 'kind != "flush"'
    group_by: [country]
    window: {type: tumbling, size: 1s}
    allowed_lateness: 500ms
    out_of_orderness: 200ms
    idle_timeout: 0
    emit: {early_every: 200ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
      - {name: users, count_distinct: user}
      - {name: amount_q, quantiles: amount, q: [0.5, 0.95]}
      - {name: top_users, top_k: user, k: 3}
  - name: hop
    stream: '*'
    filter: 'kind != "flush"'
    group_by: [_stream]
    window: {type: hopping, size: 2s, hop: 500ms}
    out_of_orderness: 200ms
    idle_timeout: 0
    emit: {early_every: 200ms}
    aggregations:
      - {name: n, count: '*'}
      - {name: total, sum: amount}
)";

struct test_pipeline {
  std::string id, path, enriched, rollups, late, dlq, group;
};

test_pipeline make_pipeline() {
  test_pipeline t;
  t.id = unique_id();
  auto topic = [&](const std::string& role, int parts, const char* cleanup = "delete") {
    return "  - {role: " + role + ", name: agg" + t.id + "." + role + ", partitions: " + std::to_string(parts) +
           ", cleanup: " + cleanup + "}\n";
  };
  std::string yaml = "pipeline: agg" + t.id + "\ntopics:\n" + topic("raw", 1) + topic("dlq", 1) + topic("valid", 1) +
                     topic("quarantine", 1) + topic("enriched", partitions) + topic("late", 2) + topic("rollups", 3) +
                     topic("schemas", 1, "compact") +
                     "streams:\n  - {name: page_view, event_time: ts}\n  - {name: purchase, event_time: ts}\n" +
                     metrics_yaml;
  t.path = fs::write_file(fs::stack::work_dir() + "/agg-" + t.id + "/pipeline.yaml", yaml);
  t.enriched = "agg" + t.id + ".enriched";
  t.rollups = "agg" + t.id + ".rollups";
  t.late = "agg" + t.id + ".late";
  t.dlq = "agg" + t.id + ".dlq";
  t.group = "agg-" + t.id;
  auto spec = freshet::config::load_pipeline_spec(t.path);
  EXPECT_TRUE(spec.ok()) << spec.err().describe();
  auto st = kafka::create_topics(fs::stack::bootstrap(), spec->topics);
  EXPECT_TRUE(st.ok()) << st.err().describe();
  return t;
}

struct gen_event {
  int32_t partition = 0;
  int64_t time = 0;
  std::string stream, country, user;
  int64_t amount = 0;
  bool flush = false, garbage = false;
  std::string payload;
};

/// Per partition in order: event times advance ~8 ms per event with jitter; 8% are far behind
/// (late: some within the allowed lateness, some beyond); a few undecodable records; and at the
/// end one flush event per stream that carries the watermark past every window (filtered).
std::vector<std::vector<gen_event>> generate(int64_t base, int per_partition, std::mt19937_64& rng) {
  std::vector<std::vector<gen_event>> parts(partitions);
  int serial = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t t = base;
    for (int i = 0; i < per_partition; ++i) {
      gen_event e;
      e.partition = p;
      t += std::uniform_int_distribution<int64_t>{0, 16}(rng);
      bool late = std::uniform_int_distribution<int>{0, 99}(rng) < 8;
      e.time = t - (late ? std::uniform_int_distribution<int64_t>{600, 3000}(rng)
                         : std::uniform_int_distribution<int64_t>{0, 150}(rng));
      e.stream = std::uniform_int_distribution<int>{0, 3}(rng) == 0 ? "purchase" : "page_view";
      e.country = "c" + std::to_string(std::uniform_int_distribution<int>{0, 4}(rng));
      e.user = "u" + std::to_string(std::uniform_int_distribution<int>{0, 40}(rng));
      e.amount = std::uniform_int_distribution<int64_t>{1, 500}(rng);
      e.payload = "{\"ts\":" + std::to_string(e.time) + ",\"id\":" + std::to_string(serial++) + ",\"country\":\"" +
                  e.country + "\",\"user\":\"" + e.user + "\",\"amount\":" + std::to_string(e.amount) + "}";
      if (i % 1500 == 777) {
        e.garbage = true;
        e.payload = "{\"ts\":" + std::to_string(e.time) + ",\"id\":" + std::to_string(serial++) + ",";
      }
      parts[p].push_back(e);
    }
    for (const char* s : {"page_view", "purchase"}) {
      gen_event f;
      f.partition = p;
      f.time = t + 600'000;
      f.stream = s;
      f.flush = true;
      f.payload = "{\"ts\":" + std::to_string(f.time) + ",\"id\":" + std::to_string(serial++) + ",\"kind\":\"flush\"}";
      parts[p].push_back(f);
    }
  }
  return parts;
}

struct window_truth {
  std::vector<const gen_event*> events;
};

struct truth {
  std::map<std::pair<std::string, int64_t>, window_truth> by_country; ///< (country, start)
  std::map<std::pair<std::string, int64_t>, window_truth> hop;        ///< (stream, start)
  std::map<std::pair<std::string, int64_t>, int64_t> counts;          ///< event_counts: (stream, start)
  std::map<std::string, int> late;                                    ///< payload -> metrics it missed
  std::set<std::string> garbage;
};

truth run_oracle(const std::vector<std::vector<gen_event>>& parts) {
  truth t;
  for (const auto& events : parts) {
    int64_t max_page = INT64_MIN, max_all = INT64_MIN;
    for (const auto& e : events) {
      if (e.garbage) {
        t.garbage.insert(e.payload);
        continue;
      }
      t.counts[{e.stream, e.time - e.time % 10'000}] += 1; // built-in: 10 s windows, 1 h lateness
      max_all = std::max(max_all, e.time);
      if (e.stream == "page_view")
        max_page = std::max(max_page, e.time);
      if (e.flush)
        continue;
      if (e.stream == "page_view") {
        int64_t s = e.time - e.time % 1000;
        if (max_page - 200 >= s + 1000 + 500)
          t.late[e.payload] += 1;
        else
          t.by_country[{e.country, s}].events.push_back(&e);
      }
      bool missed = false;
      for (int64_t s = e.time - e.time % 500; s > e.time - 2000; s -= 500) {
        if (max_all - 200 >= s + 2000)
          missed = true;
        else
          t.hop[{e.stream, s}].events.push_back(&e);
      }
      if (missed)
        t.late[e.payload] += 1;
    }
  }
  return t;
}

struct aggregate_process {
  std::unique_ptr<fs::child_process> proc;
  int metrics_port = 0;
};

aggregate_process start_aggregate(const test_pipeline& t, int round) {
  auto ports = fs::free_ports(2);
  aggregate_process a;
  a.metrics_port = ports[1];
  a.proc = std::make_unique<fs::child_process>(
    fs::binary_path("freshet-aggregate"),
    std::vector<std::string>{"--pipeline.spec=" + t.path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                             "--redis.address=" + fs::stack::redis_address(),
                             "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                             "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]), "--kafka.group=" + t.group,
                             "--service.instance=agg-1", "--state.dir=" + fs::stack::work_dir() + "/agg-" + t.id + "/state",
                             "--aggregate.tick_ms=100", "--stage.max_batch=500"},
    fs::stack::work_dir() + "/agg-" + t.id + "/aggregate-" + std::to_string(round) + ".log");
  return a;
}

/// Feeds the events, partition by partition in order, at about `per_second` in total.
class feeder {
 public:
  feeder(const test_pipeline& t, const std::vector<std::vector<gen_event>>& parts, int per_second)
      : thread_([this, &t, &parts, per_second] { run(t, parts, per_second); }) {}
  ~feeder() {
    if (thread_.joinable())
      thread_.join();
  }
  bool join() {
    thread_.join();
    return ok_;
  }

 private:
  void run(const test_pipeline& t, const std::vector<std::vector<gen_event>>& parts, int per_second) {
    auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "agg-feeder"));
    if (!p) {
      ok_ = false;
      return;
    }
    std::atomic<int> failed{0};
    size_t longest = 0;
    for (const auto& events : parts)
      longest = std::max(longest, events.size());
    auto started = std::chrono::steady_clock::now();
    size_t sent = 0;
    for (size_t i = 0; i < longest; ++i) {
      for (const auto& events : parts) {
        if (i >= events.size())
          continue;
        const auto& e = events[i];
        kafka::outgoing_record r{t.enriched, e.partition, "k" + std::to_string(i), e.payload,
                                 {{kafka::headers::stream, e.stream}}, e.time};
        while (true) {
          auto st = (*p)->produce(r, [&failed](const kafka::delivery_report& d) {
            if (!d.ok)
              failed.fetch_add(1);
          });
          if (st.ok())
            break;
          (void) (*p)->flush(100);
        }
        ++sent;
      }
      auto due = started + std::chrono::microseconds(static_cast<int64_t>(sent) * 1'000'000 / per_second);
      std::this_thread::sleep_until(due);
    }
    ok_ = (*p)->flush(60000).ok() && failed == 0;
  }

  bool ok_ = true;
  std::thread thread_;
};

/// The body of GET http://127.0.0.1:<port><path> (or the status code line for errors, through curl).
std::string http_get(int port, const std::string& path) {
  auto cmd = "curl -s --max-time 10 -w '\\n%{http_code}' 'http://127.0.0.1:" + std::to_string(port) + path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p)
    return "";
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    text.append(buf, n);
  pclose(p);
  auto nl = text.rfind('\n');
  if (nl == std::string::npos)
    return text;
  auto code = text.substr(nl + 1);
  return code == "200" ? text.substr(0, nl) : code;
}

std::shared_ptr<grpc::Channel> channel(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
}

const v1::AggregateValue* named(const v1::MetricRow& row, const std::string& name) {
  for (const auto& v : row.values())
    if (v.name() == name)
      return &v;
  return nullptr;
}

/// Differences between merged rows of by_country and the oracle ("" when they agree).
std::string compare_by_country(const std::vector<v1::MetricRow>& rows, const truth& t) {
  std::map<std::pair<std::string, int64_t>, const v1::MetricRow*> got;
  for (const auto& r : rows)
    got[{r.dims(0), r.window_start_ms()}] = &r;
  if (got.size() != t.by_country.size())
    return "windows: " + std::to_string(got.size()) + " vs " + std::to_string(t.by_country.size());
  for (const auto& [key, w] : t.by_country) {
    auto it = got.find(key);
    auto where = key.first + "@" + std::to_string(key.second);
    if (it == got.end())
      return "missing " + where;
    const auto& row = *it->second;
    int64_t sum = 0;
    std::map<std::string, uint64_t> users;
    std::vector<int64_t> amounts;
    for (const auto* e : w.events) {
      sum += e->amount;
      ++users[e->user];
      amounts.push_back(e->amount);
    }
    std::sort(amounts.begin(), amounts.end());
    if (!row.final())
      return where + " not final";
    if (named(row, "n")->int_value() != static_cast<int64_t>(w.events.size()))
      return where + " n " + std::to_string(named(row, "n")->int_value()) + " vs " + std::to_string(w.events.size());
    if (named(row, "total")->int_value() != sum)
      return where + " total " + std::to_string(named(row, "total")->int_value()) + " vs " + std::to_string(sum);
    auto distinct = static_cast<double>(users.size());
    if (std::abs(static_cast<double>(named(row, "users")->int_value()) - distinct) > std::max(1.0, 0.05 * distinct))
      return where + " users " + std::to_string(named(row, "users")->int_value()) + " vs " + std::to_string(users.size());
    for (const auto& q : named(row, "amount_q")->quantiles().values()) {
      auto exact = static_cast<double>(amounts[static_cast<size_t>(q.q() * static_cast<double>(amounts.size() - 1))]);
      if (std::abs(q.value() - exact) > 0.01 * exact + 1e-9)
        return where + " quantile " + std::to_string(q.q()) + " " + std::to_string(q.value()) + " vs " +
               std::to_string(exact);
    }
    const auto& top = named(row, "top_users")->top_k().entries();
    if (top.empty() || top[0].count() != std::max_element(users.begin(), users.end(), [](auto& a, auto& b) {
                                           return a.second < b.second;
                                         })->second)
      return where + " top user count";
  }
  return "";
}

std::string compare_hop(const std::vector<v1::MetricRow>& rows, const truth& t) {
  std::map<std::pair<std::string, int64_t>, const v1::MetricRow*> got;
  for (const auto& r : rows)
    got[{r.dims(0), r.window_start_ms()}] = &r;
  if (got.size() != t.hop.size())
    return "windows: " + std::to_string(got.size()) + " vs " + std::to_string(t.hop.size());
  for (const auto& [key, w] : t.hop) {
    auto it = got.find(key);
    auto where = key.first + "@" + std::to_string(key.second);
    if (it == got.end())
      return "missing " + where;
    int64_t sum = 0;
    for (const auto* e : w.events)
      sum += e->amount;
    if (named(*it->second, "n")->int_value() != static_cast<int64_t>(w.events.size()) ||
        named(*it->second, "total")->int_value() != sum || !it->second->final())
      return where + " differs";
  }
  return "";
}

freshet::serving::merge_request merge_all(freshet::config::window_type type, int64_t size, int64_t hop) {
  freshet::serving::merge_request req;
  req.window.type = type;
  req.window.size_ms = size;
  req.window.hop_ms = hop;
  req.dim_count = 1;
  req.keep = {0};
  return req;
}

} // namespace

TEST(aggregate_crash, rollups_in_kafka_and_redis_equal_the_oracle_after_repeated_sigkill) {
  auto t = make_pipeline();
  std::mt19937_64 rng{std::random_device{}()};
  const int64_t base = freshet::now_ms() / 10'000 * 10'000;
  auto parts = generate(base, 4000, rng); // ~12k events at ~800/s: ~15 s of traffic
  auto oracle = run_oracle(parts);

  auto query_ports = fs::free_ports(3);
  fs::child_process query{fs::binary_path("freshet-query"),
                          {"--pipeline.spec=" + t.path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                           "--redis.address=" + fs::stack::redis_address(),
                           "--grpc.listen=127.0.0.1:" + std::to_string(query_ports[0]),
                           "--http.listen=127.0.0.1:" + std::to_string(query_ports[1]),
                           "--metrics.listen=127.0.0.1:" + std::to_string(query_ports[2])},
                          fs::stack::work_dir() + "/agg-" + t.id + "/query.log"};

  feeder feed{t, parts, 800};
  auto agg = start_aggregate(t, 0);
  int kills = 0;
  for (; kills < 6; ++kills) {
    ASSERT_TRUE(fs::eventually([&] { return fs::scrape_metric(agg.metrics_port, "freshet_stage_commits_total") >= 1; },
                               90s))
      << "the aggregate service never committed before kill " << kills << " (" << agg.proc->log_file() << ")";
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>{100, 1500}(rng)));
    agg.proc->signal(SIGKILL);
    ASSERT_TRUE(agg.proc->wait(10s).has_value());
    agg = start_aggregate(t, kills + 1);
  }
  ASSERT_TRUE(feed.join()) << "feeding the enriched topic failed";
  EXPECT_GE(kills, 5);

  // The query API (Redis) converges on the oracle.
  auto stub = v1::QueryService::NewStub(channel(query_ports[0]));
  std::string diff = "no answer";
  bool converged = fs::eventually(
    [&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 10s);
      v1::QueryMetricRequest req;
      req.set_metric("by_country");
      req.set_from_ms(base - 60'000);
      req.set_to_ms(base + 3'600'000);
      v1::QueryMetricResponse resp;
      auto st = stub->QueryMetric(&ctx, req, &resp);
      if (!st.ok()) {
        diff = st.error_message();
        return false;
      }
      diff = compare_by_country({resp.rows().begin(), resp.rows().end()}, oracle);
      return diff.empty();
    },
    180s);
  EXPECT_TRUE(converged) << "query API by_country vs oracle: " << diff << " (logs in " << fs::stack::work_dir() << ")";

  // The same through HTTP: the metric list, a dims filter, and the whole range re-aggregated.
  {
    auto range = "from=" + std::to_string(base - 60'000) + "&to=" + std::to_string(base + 3'600'000);
    auto list = nlohmann::json::parse(http_get(query_ports[1], "/v1/metrics"), nullptr, false);
    ASSERT_TRUE(list.is_object()) << "GET /v1/metrics";
    std::set<std::string> names;
    for (const auto& m : list["metrics"])
      names.insert(m["name"].get<std::string>());
    EXPECT_EQ(names, (std::set<std::string>{"event_counts", "by_country", "hop"}));
    auto merged = nlohmann::json::parse(http_get(query_ports[1], "/v1/metrics/by_country?merge=true&" + range), nullptr, false);
    ASSERT_TRUE(merged.is_object()) << "GET /v1/metrics/by_country?merge=true";
    std::map<std::string, int64_t> want, got;
    for (const auto& [key, w] : oracle.by_country)
      want[key.first] += static_cast<int64_t>(w.events.size());
    for (const auto& row : merged["rows"])
      got[row["dims"][0].get<std::string>()] = row["values"]["n"].get<int64_t>();
    EXPECT_EQ(got, want) << "by_country merged over the range";
    auto one = nlohmann::json::parse(http_get(query_ports[1], "/v1/metrics/by_country?dim.country=c1&" + range), nullptr, false);
    ASSERT_TRUE(one.is_object());
    size_t c1_windows = 0;
    for (const auto& [key, w] : oracle.by_country)
      c1_windows += key.first == "c1";
    EXPECT_EQ(one["rows"].size(), c1_windows);
    for (const auto& row : one["rows"])
      EXPECT_EQ(row["dims"][0], "c1");
    EXPECT_NE(http_get(query_ports[1], "/v1/metrics/nope").find("404"), std::string::npos);
  }

  // The built-in counts through GetEventCounts. The flush events' windows stay open (early results
  // only, one per `aggregate.counts_early_ms`), so they may trail the finals checked above.
  {
    std::map<std::pair<std::string, int64_t>, int64_t> want, got;
    for (const auto& [k, n] : oracle.counts)
      if (k.second < base + 3'600'000)
        want[k] = n;
    fs::eventually(
      [&] {
        grpc::ClientContext ctx;
        v1::GetEventCountsRequest req;
        req.set_from_ms(base - 60'000);
        req.set_to_ms(base + 3'600'000);
        v1::GetEventCountsResponse resp;
        if (!stub->GetEventCounts(&ctx, req, &resp).ok())
          return false;
        got.clear();
        for (const auto& w : resp.windows())
          got[{w.stream(), w.window_start_ms()}] = w.count();
        return got == want;
      },
      30s);
    EXPECT_EQ(got, want);
  }

  // Redis directly: the hopping metric, partitions merged.
  {
    freshet::redis::client redis{fs::stack::redis_address()};
    freshet::serving::metric_store store{redis, "agg" + t.id};
    auto stored = store.read("hop", base - 60'000, base + 3'600'000);
    ASSERT_TRUE(stored.ok());
    auto rows = freshet::serving::merge_rollups(*stored, merge_all(freshet::config::window_type::hopping, 2000, 500));
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(compare_hop(*rows, oracle), "") << "Redis hop vs oracle";
  }

  // The rollups topic, read_committed: the highest revision per key, partitions merged.
  {
    auto values = fs::read_committed_values(t.rollups, 1, 5s, 120s);
    std::map<std::string, v1::Rollup> latest;
    for (const auto& [bytes, n] : values) {
      v1::Rollup r;
      ASSERT_TRUE(r.ParseFromString(bytes));
      std::vector<std::string> dims(r.dims().begin(), r.dims().end());
      auto key = freshet::serving::rollup_key(r.metric(), dims, {r.window_start_ms(), r.window_end_ms()},
                                              r.source_partition());
      if (!latest.contains(key) || latest[key].revision() < r.revision())
        latest[key] = r;
    }
    std::vector<v1::Rollup> by_country, hop;
    for (auto& [k, r] : latest)
      (r.metric() == "by_country" ? by_country : hop).push_back(r);
    auto rows = freshet::serving::merge_rollups(by_country, merge_all(freshet::config::window_type::tumbling, 1000, 0));
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(compare_by_country(*rows, oracle), "") << "rollups topic by_country vs oracle";
    std::erase_if(hop, [](const v1::Rollup& r) { return r.metric() != "hop"; });
    rows = freshet::serving::merge_rollups(hop, merge_all(freshet::config::window_type::hopping, 2000, 500));
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(compare_hop(*rows, oracle), "") << "rollups topic hop vs oracle";
  }

  // Too-late events: on the late topic once per metric they missed; undecodable ones on the DLQ.
  {
    size_t expected = 0;
    for (const auto& [payload, n] : oracle.late)
      expected += static_cast<size_t>(n);
    auto late = fs::read_committed_values(t.late, expected, 3s, 60s);
    std::map<std::string, int> want{oracle.late.begin(), oracle.late.end()};
    EXPECT_EQ(late, want);
    EXPECT_GT(expected, 0u);
    auto dlq = fs::read_committed_values(t.dlq, oracle.garbage.size(), 3s, 60s);
    std::map<std::string, int> want_dlq;
    for (const auto& g : oracle.garbage)
      want_dlq[g] = 1;
    EXPECT_EQ(dlq, want_dlq);
  }

  // The metrics an operator watches exist.
  EXPECT_GT(fs::scrape_metric(agg.metrics_port, "freshet_aggregate_serving_writes_total"), -1);
  // The flush events put event time ~10 minutes ahead of the wall clock: the lag (now - watermark,
  // summed over the three metrics) is negative, which is how an operator spots producers' clock skew.
  EXPECT_LT(fs::scrape_metric(agg.metrics_port, "freshet_aggregate_watermark_lag_seconds"), -60);
  agg.proc->signal(SIGTERM);
  EXPECT_EQ(agg.proc->wait(30s), 0);
  query.signal(SIGTERM);
  EXPECT_EQ(query.wait(30s), 0);
}
