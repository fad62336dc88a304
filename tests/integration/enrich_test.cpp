// freshet-enrich as a child process against a real broker and Redis: reference tables loaded with
// `freshet-admin load-dim` and updated live (upserts and tombstones), IP ranges, user agents,
// computed fields, the quarantine policy with its headers, Redis-backed lookups (including Redis
// going away and coming back), and resuming the local tables after a restart.
#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/http/server.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/redis/client.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string schemas_dir = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas";

/// One test's topics, spec file and Redis key prefix, all unique.
struct pipeline {
  std::string id;
  std::string valid, quarantine, enriched, dim_users, dim_geo, dim_fx;
  std::string redis_prefix;
  std::string spec_path;
  std::string state_dir;

  explicit pipeline(const std::string& name) {
    static std::atomic<int> n{0};
    id = name + "-" + std::to_string(n++) + "-" + std::to_string(freshet::now_ms() % 100000);
    valid = id + ".valid";
    quarantine = id + ".quarantine";
    enriched = id + ".enriched";
    dim_users = "dim." + id + ".users";
    dim_geo = "dim." + id + ".geo";
    dim_fx = "dim." + id + ".fx";
    redis_prefix = id + ":customer:";
    spec_path = fs::stack::work_dir() + "/" + id + ".yaml";
    state_dir = fs::stack::work_dir() + "/" + id + "-state";
    fs::write_file(spec_path, yaml());
    auto spec = freshet::config::load_pipeline_spec(spec_path);
    if (!spec)
      throw std::runtime_error(spec.err().describe());
    auto st = kafka::create_topics(fs::stack::bootstrap(), spec->topics);
    if (!st.ok())
      throw std::runtime_error(st.err().describe());
  }

  std::string yaml() const {
    return "pipeline: " + id + R"(
topics:
  - {role: raw, name: )" + id + R"(.raw}
  - {role: dlq, name: )" + id + R"(.dlq}
  - {role: valid, name: )" + valid + R"(, partitions: 3}
  - {role: quarantine, name: )" + quarantine + R"(}
  - {role: enriched, name: )" + enriched + R"(, partitions: 3}
  - {role: late, name: )" + id + R"(.late}
  - {role: rollups, name: )" + id + R"(.rollups}
  - {role: schemas, name: )" + id + R"(._schemas, cleanup: compact}
  - {role: dim_users, name: )" + dim_users + R"(, partitions: 2, cleanup: compact}
  - {role: dim_geo_ip, name: )" + dim_geo + R"(, cleanup: compact}
  - {role: dim_fx_rates, name: )" + dim_fx + R"(, cleanup: compact}
streams:
  - {name: page_view, schema: )" + schemas_dir + R"(/page_view.avsc, key: user_id, event_time: ts}
  - {name: purchase, schema: )" + schemas_dir + R"(/purchase.avsc, key: user_id, event_time: ts}
enrichments:
  tables:
    - {name: users, key: user_id, schema: )" + schemas_dir + R"(/user.avsc}
    - {name: geo_ip, key: network, ip_ranges: {cidr: network}}
    - {name: fx_rates, key: currency}
    - name: customers
      redis: {key_prefix: ")" + redis_prefix + R"(", cache_entries: 100, ttl_ms: 300, miss_ttl_ms: 300}
  functions:
    fx: {table: fx_rates, field: usd_rate}
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country, segment]}, on_miss: quarantine}
    - name: geo
      ip_lookup: {table: geo_ip, ip: ip, fields: [country]}
      on_miss: default
      default: {country: ZZ}
      streams: [page_view]
    - {name: device_class, device_class: {user_agent: user_agent}, streams: [page_view]}
    - {name: amount_usd, expression: 'round(amount * fx(currency), 2)', streams: [purchase]}
    - {name: customer_tier, lookup: {table: customers, key: user_id, field: tier}}
)";
  }
};

/// Runs `freshet-admin load-dim` on a JSON-lines text; true when it exits 0.
bool load_dim(const pipeline& p, const std::string& table, const std::string& lines, bool tombstones = false) {
  static std::atomic<int> n{0};
  auto file = fs::write_file(fs::stack::work_dir() + "/" + p.id + "-" + table + "-" + std::to_string(n++) + ".jsonl",
                             lines);
  fs::child_process admin{fs::binary_path("freshet-admin"),
                          {"load-dim", "--pipeline.spec=" + p.spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                           "--table=" + table, "--file=" + file, std::string{"--delete="} + (tombstones ? "true" : "false")},
                          fs::stack::work_dir() + "/" + p.id + "-admin.log"};
  auto code = admin.wait(60s);
  return code && *code == 0;
}

std::unique_ptr<fs::child_process> start_enrich(const pipeline& p, const std::string& redis_address, int metrics_port,
                                                const std::string& registry_url = "") {
  auto grpc = fs::free_ports(1)[0];
  return std::make_unique<fs::child_process>(
    fs::binary_path("freshet-enrich"),
    std::vector<std::string>{"--pipeline.spec=" + p.spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                             "--redis.address=" + redis_address, "--grpc.listen=127.0.0.1:" + std::to_string(grpc),
                             "--metrics.listen=127.0.0.1:" + std::to_string(metrics_port),
                             "--kafka.group=" + p.id + ".enrich", "--service.instance=" + p.id + "-a",
                             "--enrich.state_dir=" + p.state_dir, "--stage.commit_interval_ms=50",
                             "--registry.url=" + registry_url},
    fs::stack::work_dir() + "/" + p.id + "-enrich.log");
}

/// A stand-in for the schema registry: answers every registration with an id per subject and
/// keeps what was posted.
struct fake_registry {
  int port = fs::free_ports(1)[0];
  freshet::http::server server{"127.0.0.1:" + std::to_string(port), 2};
  std::mutex mu;
  std::map<std::string, std::string> schemas; // subject -> posted schema text

  fake_registry() {
    server.route("POST", "/subjects/*", [this](const freshet::http::request& req) {
      auto subject = req.path.substr(std::string{"/subjects/"}.size());
      subject = subject.substr(0, subject.find('/'));
      std::lock_guard lock{mu};
      schemas[subject] = json::parse(req.body)["schema"].get<std::string>();
      int id = subject.rfind("page_view", 0) == 0 ? 101 : 102;
      return freshet::http::response{200, "application/vnd.schemaregistry.v1+json",
                                     "{\"id\":" + std::to_string(id) + "}", {}};
    });
    if (!server.start().ok())
      throw std::runtime_error("cannot start the fake registry");
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

/// Publishes events to the valid topic as the quality gate would: keyed, stamped, with headers.
class event_source {
 public:
  explicit event_source(std::string topic) : topic_(std::move(topic)) {
    auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "enrich-test"));
    if (!p)
      throw std::runtime_error(p.err().describe());
    producer_ = std::move(*p);
  }

  /// Returns the event id.
  std::string publish(const std::string& stream, const std::string& user, json fields) {
    auto id = "ev-" + std::to_string(++seq_) + "-" + std::to_string(freshet::now_ms());
    fields["user_id"] = user;
    fields["ts"] = ts_;
    kafka::outgoing_record r{topic_, -1, user, fields.dump(),
                             {{kafka::headers::stream, stream}, {kafka::headers::event_id, id},
                              {kafka::headers::ingest_ts, std::to_string(ts_ + 5)}},
                             ts_};
    EXPECT_TRUE(producer_->produce(r, [](const kafka::delivery_report& d) { EXPECT_TRUE(d.ok); }).ok());
    EXPECT_TRUE(producer_->flush(30000).ok());
    return id;
  }

  int64_t ts() const { return ts_; }

 private:
  std::string topic_;
  std::unique_ptr<kafka::producer> producer_;
  int seq_ = 0;
  int64_t ts_ = 1'700'000'000'000;
};

/// Reads a topic (read_committed, from the beginning) and keeps what it saw, by event id.
class topic_reader {
 public:
  explicit topic_reader(const std::string& topic) {
    auto group = "reader-" + topic + "-" + std::to_string(freshet::mono_ns());
    auto c = kafka::consumer::create(kafka::consumer_config(fs::stack::bootstrap(), group, "enrich-test-reader"));
    if (!c || !(*c)->subscribe({topic}).ok())
      throw std::runtime_error("cannot read " + topic);
    consumer_ = std::move(*c);
  }
  ~topic_reader() { consumer_->close(); }

  /// Polls until `id` has arrived (true) or `timeout` passed.
  bool wait_for(const std::string& id, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!by_id.count(id) && std::chrono::steady_clock::now() < deadline)
      poll();
    return by_id.count(id) > 0;
  }
  /// Polls for `d` and returns whether anything with `id` arrived in that time.
  bool arrives_within(const std::string& id, std::chrono::milliseconds d) { return wait_for(id, d); }

  void poll() {
    auto batch = consumer_->poll_batch(1000, 200);
    if (!batch)
      return;
    for (auto& r : *batch) {
      const auto* id = r.find_header(kafka::headers::event_id);
      std::string key = id ? *id : "offset-" + std::to_string(r.offset);
      ++count[key];
      by_id[key] = std::move(r);
    }
  }

  std::map<std::string, kafka::consumed_record> by_id;
  std::map<std::string, int> count;

 private:
  std::unique_ptr<kafka::consumer> consumer_;
};

std::string header(const kafka::consumed_record& r, const std::string& key) {
  const auto* h = r.find_header(key);
  return h ? *h : "<absent>";
}

/// GET /metrics over a raw socket.
std::string scrape(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    (void) ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char buf[8192];
    ssize_t n = 0;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
      out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

/// The value of the first sample line starting with `prefix` ("name{labels}"), or -1.
double metric(const std::string& text, const std::string& prefix) {
  for (size_t pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos + 1)) {
    if (pos > 0 && text[pos - 1] != '\n')
      continue;
    auto space = text.find(' ', pos + prefix.size());
    return std::stod(text.substr(space + 1, text.find('\n', space) - space - 1));
  }
  return -1;
}

void stop(fs::child_process& proc) {
  proc.signal(SIGTERM);
  auto code = proc.wait(30s);
  ASSERT_TRUE(code.has_value()) << proc.log_file() << " did not stop";
  EXPECT_EQ(*code, 0) << proc.log_file();
}

const std::string users_v1 = R"({"user_id":"u1","country":"DE","segment":"vip"}
{"user_id":"u2","country":"US","segment":"regular"}
{"user_id":"u3","country":"JP","segment":"new"}
)";
const std::string geo = R"({"network":"10.0.0.0/8","country":"US"}
{"network":"10.20.0.0/16","country":"GB"}
{"network":"2001:db8::/32","country":"NL"}
)";
const std::string fx = R"({"currency":"EUR","usd_rate":1.08}
{"currency":"USD","usd_rate":1.0}
)";
const char* iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";

} // namespace

TEST(enrich, joins_reference_tables_applies_live_updates_and_quarantines_misses) {
  pipeline p{"enrich-main"};
  EXPECT_FALSE(load_dim(p, "users", R"({"user_id":"u9","country":"SE"})" "\nnot json\n"))
    << "a bad file publishes nothing (u9 would show in the row count below)";
  ASSERT_TRUE(load_dim(p, "users", users_v1));
  ASSERT_TRUE(load_dim(p, "geo_ip", geo));
  ASSERT_TRUE(load_dim(p, "fx_rates", fx));
  freshet::redis::client redis{fs::stack::redis_address()};
  ASSERT_TRUE(redis.command({"HSET", p.redis_prefix + "u1", "tier", "gold", "since", "2021"}).ok());

  auto metrics_port = fs::free_ports(1)[0];
  fake_registry registry;
  auto enrich = start_enrich(p, fs::stack::redis_address(), metrics_port, registry.url());
  event_source src{p.valid};
  topic_reader enriched{p.enriched};
  topic_reader quarantine{p.quarantine};

  auto pv = src.publish("page_view", "u1", {{"url", "/p/1"}, {"ip", "10.20.3.4"}, {"user_agent", iphone}});
  auto buy = src.publish("purchase", "u2", {{"order_id", "o-1"}, {"amount", 100.0}, {"currency", "EUR"}, {"items", 1}});
  auto pv6 = src.publish("page_view", "u3", {{"url", "/p/2"}, {"ip", "2001:db8::7"}, {"user_agent", "curl/8.0"}});
  auto ghost = src.publish("page_view", "ghost", {{"url", "/p/3"}});

  ASSERT_TRUE(enriched.wait_for(pv, 90s)) << "see " << enrich->log_file();
  ASSERT_TRUE(enriched.wait_for(buy, 30s));
  ASSERT_TRUE(enriched.wait_for(pv6, 30s));
  {
    const auto& r = enriched.by_id.at(pv);
    auto doc = json::parse(r.value);
    EXPECT_EQ(doc["user"]["country"], "DE");
    EXPECT_EQ(doc["user"]["segment"], "vip");
    EXPECT_EQ(doc["geo"]["country"], "GB") << "the most specific network";
    EXPECT_EQ(doc["device_class"], "mobile");
    EXPECT_EQ(doc["customer_tier"], "gold") << "joined from the Redis hash";
    EXPECT_EQ(doc["url"], "/p/1");
    EXPECT_EQ(doc["ts"], src.ts()) << "event time is kept";
    EXPECT_EQ(r.key, "u1");
    EXPECT_EQ(r.timestamp_ms, src.ts());
    EXPECT_EQ(header(r, kafka::headers::event_id), pv);
    EXPECT_EQ(header(r, kafka::headers::stream), "page_view");
    EXPECT_EQ(header(r, kafka::headers::ingest_ts), std::to_string(src.ts() + 5));
    EXPECT_EQ(header(r, kafka::headers::schema_id), "101") << "the registered enriched schema";
  }
  {
    std::lock_guard lock{registry.mu};
    ASSERT_EQ(registry.schemas.size(), 2u) << "one subject per stream";
    auto pv_schema = json::parse(registry.schemas.at("page_view-enriched-value"));
    EXPECT_EQ(pv_schema["name"], "PageView");
    bool has_user = false;
    for (const auto& f : pv_schema["fields"])
      has_user = has_user || (f["name"] == "user" && f["default"].is_null());
    EXPECT_TRUE(has_user) << pv_schema.dump();
    EXPECT_TRUE(registry.schemas.count("purchase-enriched-value"));
  }
  {
    auto doc = json::parse(enriched.by_id.at(buy).value);
    EXPECT_DOUBLE_EQ(doc["amount_usd"].get<double>(), 108.0);
    EXPECT_EQ(header(enriched.by_id.at(buy), kafka::headers::schema_id), "102");
    EXPECT_EQ(doc["user"]["country"], "US");
    EXPECT_TRUE(doc["customer_tier"].is_null()) << "no hash for u2";
    EXPECT_FALSE(doc.contains("device_class")) << "derived for page views only";
  }
  {
    auto doc = json::parse(enriched.by_id.at(pv6).value);
    EXPECT_EQ(doc["geo"]["country"], "NL");
    EXPECT_EQ(doc["device_class"], "bot");
  }

  // A miss under on_miss: quarantine: the original record, with the reason headers.
  ASSERT_TRUE(quarantine.wait_for(ghost, 30s));
  {
    const auto& q = quarantine.by_id.at(ghost);
    EXPECT_EQ(header(q, kafka::headers::reason), "lookup_miss");
    EXPECT_NE(header(q, kafka::headers::message).find("ghost"), std::string::npos);
    EXPECT_EQ(header(q, kafka::headers::stage), "enrich");
    EXPECT_EQ(header(q, kafka::headers::source_topic), p.valid);
    EXPECT_NE(header(q, kafka::headers::source_offset), "<absent>");
    EXPECT_EQ(header(q, kafka::headers::stream), "page_view");
    EXPECT_EQ(json::parse(q.value)["user_id"], "ghost");
    EXPECT_FALSE(json::parse(q.value).contains("user")) << "the original bytes, not an enriched version";
    EXPECT_EQ(q.key, "ghost");
  }
  EXPECT_FALSE(enriched.arrives_within(ghost, 1s)) << "a quarantined event is not also enriched";

  // Update a user and delete another in the dim topic: later events see the new state.
  ASSERT_TRUE(load_dim(p, "users", R"({"user_id":"u1","country":"FR","segment":"vip"})" "\n"));
  ASSERT_TRUE(load_dim(p, "users", R"({"user_id":"u2"})" "\n", /*tombstones=*/true));
  bool updated = fs::eventually(
    [&] {
      auto id = src.publish("page_view", "u1", {{"url", "/p/again"}});
      return enriched.wait_for(id, 20s) && json::parse(enriched.by_id.at(id).value)["user"]["country"] == "FR";
    },
    60s);
  ASSERT_TRUE(updated) << "the update never reached the enrichment";
  auto after = src.publish("page_view", "u1", {{"url", "/p/after"}});
  ASSERT_TRUE(enriched.wait_for(after, 30s));
  EXPECT_EQ(json::parse(enriched.by_id.at(after).value)["user"]["country"], "FR") << "updates apply in order, for good";
  bool deleted = fs::eventually(
    [&] {
      auto id = src.publish("purchase", "u2", {{"order_id", "o-2"}, {"amount", 1.0}, {"currency", "USD"}, {"items", 1}});
      return quarantine.wait_for(id, 10s);
    },
    60s);
  EXPECT_TRUE(deleted) << "after the tombstone u2 is a miss";

  // Metrics: table size, caught-up flag, lookups by outcome, the Redis cache.
  auto m = scrape(metrics_port);
  EXPECT_EQ(metric(m, R"(freshet_enrich_reference_table_rows{table="users"})"), 2) << m.substr(0, 3000);
  EXPECT_EQ(metric(m, R"(freshet_enrich_reference_table_rows{table="geo_ip"})"), 3);
  EXPECT_EQ(metric(m, R"(freshet_enrich_reference_table_caught_up{table="users"})"), 1);
  EXPECT_EQ(metric(m, R"(freshet_enrich_reference_table_lag_records{table="users"})"), 0);
  EXPECT_GE(metric(m, R"(freshet_enrich_lookups_total{outcome="hit",table="users"})"), 4);
  EXPECT_GE(metric(m, R"(freshet_enrich_lookups_total{outcome="miss",table="users"})"), 2);
  EXPECT_GE(metric(m, R"(freshet_enrich_derived_misses_total{field="user",policy="quarantine"})"), 2);
  EXPECT_GE(metric(m, R"(freshet_enrich_cache_hit_ratio{table="customers"})"), 0);

  // Every event came out exactly once, in one topic or the other.
  for (const auto& [id, n] : enriched.count)
    EXPECT_EQ(n, 1) << id;
  for (const auto& [id, n] : quarantine.count)
    EXPECT_EQ(n, 1) << id;
  stop(*enrich);
}

TEST(enrich, redis_lookups_survive_redis_going_away) {
  pipeline p{"enrich-redis"};
  ASSERT_TRUE(load_dim(p, "users", users_v1));
  // A Redis of our own, so that it can stay down for a while; with an always-synced append-only
  // file, so that it comes back with its data and the test does not race the service's retries.
  auto port = fs::free_ports(1)[0];
  auto address = "127.0.0.1:" + std::to_string(port);
  auto redis_dir = fs::stack::work_dir() + "/" + p.id + "-redis";
  std::filesystem::create_directories(redis_dir);
  auto start_redis = [&] {
    auto proc = std::make_unique<fs::child_process>(
      "/usr/bin/redis-server",
      std::vector<std::string>{"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--dir", redis_dir,
                               "--appendonly", "yes", "--appendfsync", "always"},
      fs::stack::work_dir() + "/" + p.id + "-redis.log");
    EXPECT_TRUE(fs::eventually([&] { return freshet::redis::client{address}.command({"PING"}).ok(); }, 20s));
    return proc;
  };
  auto redis_server = start_redis();
  ASSERT_TRUE(freshet::redis::client{address}.command({"HSET", p.redis_prefix + "u1", "tier", "gold"}).ok());

  auto enrich = start_enrich(p, address, fs::free_ports(1)[0]);
  event_source src{p.valid};
  topic_reader enriched{p.enriched};
  auto first = src.publish("page_view", "u1", {{"url", "/1"}});
  ASSERT_TRUE(enriched.wait_for(first, 90s)) << "see " << enrich->log_file();
  EXPECT_EQ(json::parse(enriched.by_id.at(first).value)["customer_tier"], "gold");

  // HSET a key the service has not seen: it is joined.
  ASSERT_TRUE(freshet::redis::client{address}.command({"HSET", p.redis_prefix + "u2", "tier", "silver"}).ok());
  auto second = src.publish("page_view", "u2", {{"url", "/2"}});
  ASSERT_TRUE(enriched.wait_for(second, 30s));
  EXPECT_EQ(json::parse(enriched.by_id.at(second).value)["customer_tier"], "silver");

  // Redis goes away: the batch waits (retried), the service stays up, nothing is lost or guessed.
  ASSERT_TRUE(freshet::redis::client{address}.command({"HSET", p.redis_prefix + "u3", "tier", "bronze"}).ok());
  redis_server->signal(SIGKILL);
  ASSERT_TRUE(redis_server->wait(10s).has_value());
  std::this_thread::sleep_for(500ms); // past the cache TTL
  auto during = src.publish("page_view", "u3", {{"url", "/3"}});
  EXPECT_FALSE(enriched.arrives_within(during, 4s)) << "enriched without its Redis lookup";
  EXPECT_TRUE(enrich->running()) << "Redis down must not crash the service";

  redis_server = start_redis();
  ASSERT_TRUE(enriched.wait_for(during, 60s)) << "see " << enrich->log_file();
  EXPECT_EQ(json::parse(enriched.by_id.at(during).value)["customer_tier"], "bronze");
  EXPECT_EQ(enriched.count[during], 1) << "exactly once despite the retries";
  stop(*enrich);
}

TEST(enrich, resumes_its_local_tables_after_a_restart_and_catches_up_on_changes) {
  pipeline p{"enrich-resume"};
  ASSERT_TRUE(load_dim(p, "users", users_v1));
  auto enrich = start_enrich(p, fs::stack::redis_address(), fs::free_ports(1)[0]);
  event_source src{p.valid};
  topic_reader enriched{p.enriched};
  auto before = src.publish("page_view", "u1", {{"url", "/1"}});
  ASSERT_TRUE(enriched.wait_for(before, 90s)) << "see " << enrich->log_file();
  EXPECT_EQ(json::parse(enriched.by_id.at(before).value)["user"]["country"], "DE");
  stop(*enrich);

  // While it is down: u1 moves, u4 arrives.
  ASSERT_TRUE(load_dim(p, "users", R"({"user_id":"u1","country":"IT","segment":"vip"})" "\n"
                                   R"({"user_id":"u4","country":"ES","segment":"new"})" "\n"));
  enrich = start_enrich(p, fs::stack::redis_address(), fs::free_ports(1)[0]);
  auto moved = src.publish("page_view", "u1", {{"url", "/2"}});
  auto added = src.publish("page_view", "u4", {{"url", "/3"}});
  ASSERT_TRUE(enriched.wait_for(moved, 90s)) << "see " << enrich->log_file();
  ASSERT_TRUE(enriched.wait_for(added, 30s));
  EXPECT_EQ(json::parse(enriched.by_id.at(moved).value)["user"]["country"], "IT")
    << "the resumed table must not serve rows older than the topic as of its start";
  EXPECT_EQ(json::parse(enriched.by_id.at(added).value)["user"]["country"], "ES");
  stop(*enrich);
  auto log = fs::read_file(enrich->log_file());
  EXPECT_NE(log.find("resuming dim." + p.id + ".users"), std::string::npos) << "the second start resumes";
}
