// freshet-quality-gate against a real broker: good and bad JSON events published to the raw topic
// come out once each, in the valid or the quarantine topic (read_committed) with their reasons in
// the headers; after the spec is relaxed, Readmit (gRPC, then the admin CLI) moves the events that
// now pass into the valid topic exactly once.
#include <atomic>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "freshet/v1/quality.grpc.pb.h"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
using namespace std::chrono_literals;

namespace {

/// A pipeline spec of its own topics; `amount_max` is what the relaxed spec changes.
std::string spec_yaml(const std::string& prefix, int amount_max) {
  std::string y = "pipeline: qgtest\ntopics:\n";
  for (const char* role : freshet::config::required_topic_roles)
    y += std::string{"  - {role: "} + role + ", name: " + prefix + "." + role + ", partitions: " +
         (std::string{role} == "quarantine" ? "2" : "3") + "}\n";
  y += R"(streams:
  - {name: orders, key: user_id, event_time: ts}
  - {name: clicks}
expectations:
  streams:
    orders:
      - {name: has_user, not_null: user_id}
      - {name: amount_range, range: {field: amount, min: 0, max: )" +
       std::to_string(amount_max) + R"(}}
      - {name: currency_known, in_set: {field: currency, values: [EUR, USD]}}
      - {name: ts_fresh, freshness: {max_ahead: 5m, max_age: 1d}}
      - {name: round_amount, rule: 'amount == floor(amount)', severity: warn}
)";
  return y;
}

struct event_in {
  std::string stream; ///< "" = no stream header
  std::string key;
  std::string value;
  std::string category; ///< what the test expects: good, big, currency, both, undecodable, no_stream, ghost, click
};

struct produced {
  int32_t partition = -1;
  int64_t offset = -1;
};

/// Publishes the events with the headers ingest would set; returns where each landed.
std::vector<produced> publish(const std::string& topic, const std::vector<event_in>& events) {
  auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "qg-test"));
  EXPECT_TRUE(p.ok());
  std::vector<produced> where(events.size());
  std::mutex mtx;
  std::atomic<int> acked{0};
  auto now = std::to_string(freshet::now_ms());
  for (size_t i = 0; i < events.size(); ++i) {
    kafka::outgoing_record r{topic, -1, events[i].key, events[i].value, {}, 0};
    if (!events[i].stream.empty())
      r.headers.push_back({"freshet.stream", events[i].stream});
    r.headers.push_back({"freshet.event_id", "ev-" + std::to_string(i)});
    r.headers.push_back({"freshet.ingest_ts", now});
    EXPECT_TRUE((*p)
                  ->produce(r,
                            [&, i](const kafka::delivery_report& d) {
                              std::lock_guard g{mtx};
                              where[i] = {d.partition, d.offset};
                              acked += d.ok ? 1 : 0;
                            })
                  .ok());
  }
  EXPECT_TRUE((*p)->flush(30000).ok());
  EXPECT_EQ(acked.load(), static_cast<int>(events.size()));
  return where;
}

/// Every committed record of `topic`: read from the beginning in a fresh group until `expected`
/// arrived and nothing more came for `settle`.
std::vector<kafka::consumed_record> read_all(const std::string& topic, size_t expected,
                                             std::chrono::milliseconds settle = 3s,
                                             std::chrono::milliseconds timeout = 60s) {
  auto group = "qg-verify-" + std::to_string(freshet::now_ms()) + "-" + std::to_string(freshet::mono_ns() % 100000);
  auto c = kafka::consumer::create(kafka::consumer_config(fs::stack::bootstrap(), group, "qg-verifier"));
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE((*c)->subscribe({topic}).ok());
  std::vector<kafka::consumed_record> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last_new = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = (*c)->poll_batch(1000, 200);
    if (batch && !batch->empty()) {
      for (auto& r : *batch)
        out.push_back(std::move(r));
      last_new = std::chrono::steady_clock::now();
    }
    if (out.size() >= expected && std::chrono::steady_clock::now() - last_new >= settle)
      break;
  }
  (*c)->close();
  return out;
}

std::string header_or(const kafka::consumed_record& r, const std::string& key, const std::string& fallback = "<none>") {
  const auto* h = r.find_header(key);
  return h ? *h : fallback;
}

/// The JSON's "id" field doubles as the test's handle on each event.
std::string id_of(const std::string& value) {
  auto at = value.find("\"id\":\"");
  if (at == std::string::npos)
    return value;
  auto end = value.find('"', at + 6);
  return value.substr(at + 6, end - at - 6);
}

std::map<std::string, int> count_ids(const std::vector<kafka::consumed_record>& records) {
  std::map<std::string, int> n;
  for (const auto& r : records)
    ++n[id_of(r.value)];
  return n;
}

class gate_process {
 public:
  gate_process(const std::string& spec_path, const std::string& group, const std::string& log) {
    port_ = fs::free_ports(1)[0];
    proc_ = std::make_unique<fs::child_process>(
      fs::binary_path("freshet-quality-gate"),
      std::vector<std::string>{"--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                               "--grpc.listen=127.0.0.1:" + std::to_string(port_), "--metrics.listen=127.0.0.1:0",
                               "--kafka.group=" + group, "--service.instance=" + group + "-a",
                               "--readmit.idle_ms=1000"},
      log);
  }

  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& log() const { return proc_->log_file(); }

  void stop() {
    proc_->signal(SIGTERM);
    auto code = proc_->wait(60s);
    ASSERT_TRUE(code.has_value()) << "the gate did not stop\n" << fs::read_file(log());
    EXPECT_EQ(*code, 0) << fs::read_file(log());
  }

 private:
  int port_ = 0;
  std::unique_ptr<fs::child_process> proc_;
};

grpc::Status readmit(const std::string& address, const std::string& expectation, freshet::v1::ReadmitResponse& resp) {
  auto stub = freshet::v1::QualityGateService::NewStub(
    grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::Status st;
  // The gate may still be starting: UNAVAILABLE until its gRPC server is up.
  (void) fs::eventually(
    [&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + 120s);
      freshet::v1::ReadmitRequest req;
      req.set_expectation(expectation);
      resp.Clear();
      st = stub->Readmit(&ctx, req, &resp);
      return st.error_code() != grpc::StatusCode::UNAVAILABLE;
    },
    90s);
  return st;
}

/// Collects the bodies POSTed to it (an alert receiver), answering 200.
class alert_receiver {
 public:
  alert_receiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread{[this] { serve(); }};
  }
  ~alert_receiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  std::vector<std::string> bodies() {
    std::lock_guard g{mtx_};
    return bodies_;
  }

 private:
  void serve() {
    while (true) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0)
        return;
      std::string req;
      char buf[4096];
      size_t head = std::string::npos, need = 0;
      while (head == std::string::npos || req.size() < head + 4 + need) {
        auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        req.append(buf, static_cast<size_t>(n));
        head = req.find("\r\n\r\n");
        if (auto cl = req.find("Content-Length: "); cl != std::string::npos)
          need = std::stoul(req.substr(cl + 16));
      }
      const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      (void) ::send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
      ::close(c);
      if (head != std::string::npos) {
        std::lock_guard g{mtx_};
        bodies_.push_back(req.substr(head + 4));
      }
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::mutex mtx_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

} // namespace

TEST(quality_gate, routes_events_by_expectation_and_readmits_exactly_once_after_a_fix) {
  auto prefix = "qg" + std::to_string(std::random_device{}() % 1'000'000);
  auto dir = fs::stack::work_dir() + "/" + prefix;
  auto strict_path = fs::write_file(dir + "/strict.yaml", spec_yaml(prefix, 100));
  auto relaxed_path = fs::write_file(dir + "/relaxed.yaml", spec_yaml(prefix, 1000));
  auto spec = freshet::config::load_pipeline_spec(strict_path);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), spec->topics).ok());
  const auto raw = spec->topic_name("raw");
  const auto valid = spec->topic_name("valid");
  const auto quarantine = spec->topic_name("quarantine");

  // --- the events, by what should become of them --------------------------------------------------
  auto ts = std::to_string(freshet::now_ms());
  std::vector<event_in> events;
  auto order = [&](const std::string& id, const std::string& body, const std::string& category) {
    events.push_back({"orders", "k-" + id, R"({"id":")" + id + R"(","ts":)" + ts + "," + body + "}", category});
  };
  for (int i = 0; i < 30; ++i)
    order("good" + std::to_string(i), R"("user_id":"u1","amount":)" + std::to_string(i) + R"(,"currency":"EUR")",
          "good");
  for (int i = 0; i < 12; ++i)
    order("big" + std::to_string(i), R"("user_id":"u2","amount":)" + std::to_string(150 + i) + R"(,"currency":"USD")",
          "big");
  for (int i = 0; i < 5; ++i)
    order("cur" + std::to_string(i), R"("user_id":"u3","amount":5,"currency":"XXX")", "currency");
  for (int i = 0; i < 3; ++i)
    order("both" + std::to_string(i), R"("user_id":"u4","amount":500,"currency":"XXX")", "both");
  order("frac", R"("user_id":"u5","amount":2.5,"currency":"EUR")", "warned");
  events.push_back({"orders", "k-bad1", "{not json", "undecodable"});
  events.push_back({"orders", "k-bad2", "[1,2]", "undecodable"});
  events.push_back({"", "k-nostream1", R"({"id":"nostream1"})", "no_stream"});
  events.push_back({"", "k-nostream2", R"({"id":"nostream2"})", "no_stream"});
  events.push_back({"ghost", "k-ghost", R"({"id":"ghost"})", "ghost"});
  for (int i = 0; i < 4; ++i)
    events.push_back({"clicks", "k-click" + std::to_string(i), R"({"id":"click)" + std::to_string(i) + R"("})", "click"});

  std::map<std::string, size_t> index_of; // key -> event index
  std::set<std::string> expect_valid, expect_quarantine;
  for (size_t i = 0; i < events.size(); ++i) {
    index_of[events[i].key] = i;
    const auto& c = events[i].category;
    (c == "good" || c == "click" || c == "warned" ? expect_valid : expect_quarantine).insert(events[i].key);
  }
  ASSERT_EQ(expect_valid.size(), 35u);
  ASSERT_EQ(expect_quarantine.size(), 25u);

  auto group = prefix + "-gate";
  auto gate = std::make_unique<gate_process>(strict_path, group, dir + "/gate-strict.log");
  auto where = publish(raw, events);

  // --- valid: each passing event once, unchanged ----------------------------------------------------
  auto valid_records = read_all(valid, expect_valid.size());
  std::map<std::string, int> valid_keys;
  for (const auto& r : valid_records) {
    ++valid_keys[r.key];
    ASSERT_TRUE(index_of.count(r.key)) << r.key;
    const auto& e = events[index_of[r.key]];
    EXPECT_EQ(r.value, e.value);
    EXPECT_EQ(header_or(r, "freshet.reason"), "<none>");
    EXPECT_EQ(header_or(r, "freshet.warnings", ""), e.category == "warned" ? "round_amount" : "") << r.key;
  }
  EXPECT_EQ(valid_records.size(), expect_valid.size()) << fs::read_file(gate->log());
  for (const auto& k : expect_valid)
    EXPECT_EQ(valid_keys[k], 1) << k;

  // --- quarantine: original bytes and key, every failure named, the source position ---------------
  auto quarantined = read_all(quarantine, expect_quarantine.size());
  EXPECT_EQ(quarantined.size(), expect_quarantine.size());
  std::map<std::string, int> quarantined_keys;
  for (const auto& r : quarantined) {
    ++quarantined_keys[r.key];
    ASSERT_TRUE(index_of.count(r.key)) << r.key;
    auto i = index_of[r.key];
    const auto& e = events[i];
    EXPECT_EQ(r.value, e.value);
    EXPECT_EQ(header_or(r, "freshet.stage"), "quality-gate");
    EXPECT_EQ(header_or(r, "freshet.source_topic"), raw);
    EXPECT_EQ(header_or(r, "freshet.source_partition"), std::to_string(where[i].partition));
    EXPECT_EQ(header_or(r, "freshet.source_offset"), std::to_string(where[i].offset));
    EXPECT_EQ(header_or(r, "freshet.event_id"), "ev-" + std::to_string(i));
    EXPECT_NE(header_or(r, "freshet.message"), "<none>");
    const std::map<std::string, std::pair<std::string, std::string>> expected{
      {"big", {"range", "amount_range"}},
      {"currency", {"in_set", "currency_known"}},
      {"both", {"range,in_set", "amount_range,currency_known"}},
      {"undecodable", {"undecodable", ""}},
      {"no_stream", {"undecodable", ""}},
      {"ghost", {"unknown_stream", ""}},
    };
    ASSERT_TRUE(expected.count(e.category)) << e.category;
    EXPECT_EQ(header_or(r, "freshet.reason"), expected.at(e.category).first) << r.key;
    EXPECT_EQ(header_or(r, "freshet.failed_expectations"), expected.at(e.category).second) << r.key;
  }
  for (const auto& k : expect_quarantine)
    EXPECT_EQ(quarantined_keys[k], 1) << k;

  // --- relax amount_range, restart the gate, readmit what failed it ---------------------------------
  gate->stop();
  gate = std::make_unique<gate_process>(relaxed_path, group, dir + "/gate-relaxed.log");
  freshet::v1::ReadmitResponse resp;
  auto st = readmit(gate->address(), "amount_range", resp);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << fs::read_file(gate->log());
  EXPECT_EQ(resp.scanned(), 25u);
  EXPECT_EQ(resp.readmitted(), 12u); // the "big" ones
  EXPECT_EQ(resp.still_failing(), 3u); // "both": their currency is still unknown
  EXPECT_EQ(resp.skipped(), 10u);
  EXPECT_EQ(resp.still_failing_by_expectation().at("currency_known"), 3u);

  auto after = read_all(valid, expect_valid.size() + 12);
  auto ids = count_ids(after);
  EXPECT_EQ(after.size(), expect_valid.size() + 12);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(ids["big" + std::to_string(i)], 1) << i;
  }
  for (const auto& r : after)
    if (id_of(r.value).rfind("big", 0) == 0) {
      EXPECT_EQ(header_or(r, "freshet.reason"), "<none>");
      EXPECT_EQ(header_or(r, "freshet.failed_expectations"), "<none>");
      EXPECT_EQ(header_or(r, "freshet.readmitted_from").rfind(quarantine + "/", 0), 0u);
      EXPECT_EQ(header_or(r, "freshet.stream"), "orders");
    }

  // --- a second call, through the admin CLI and without a filter, readmits nothing more --------------
  auto cli_log = dir + "/admin-readmit.log";
  fs::child_process cli{fs::binary_path("freshet-admin"), {"readmit", "--quality_gate=" + gate->address(), "--timeout_ms=120000"},
                        cli_log};
  auto code = cli.wait(150s);
  ASSERT_TRUE(code.has_value());
  auto cli_out = fs::read_file(cli_log);
  EXPECT_EQ(*code, 0) << cli_out;
  EXPECT_NE(cli_out.find("scanned=13 readmitted=0 still_failing=13 skipped=0"), std::string::npos) << cli_out;
  EXPECT_NE(cli_out.find("currency_known"), std::string::npos) << cli_out;

  after = read_all(valid, expect_valid.size() + 12, 4s);
  EXPECT_EQ(after.size(), expect_valid.size() + 12);

  // The quarantine topic holds the originals plus what each call appended again, and the appended
  // copies point at their original position in the raw topic.
  auto q_after = read_all(quarantine, 25 + 13 + 13);
  EXPECT_EQ(q_after.size(), 25u + 13u + 13u);
  std::map<std::string, int> by_attempts;
  for (const auto& r : q_after) {
    auto i = index_of.at(r.key);
    EXPECT_EQ(header_or(r, "freshet.source_offset"), std::to_string(where[i].offset)) << r.key;
    EXPECT_EQ(r.value, events[i].value);
    ++by_attempts[header_or(r, "freshet.readmit_count")];
  }
  // Originals and the first call's skipped copies carry no count; "both" failed the first call and
  // then the second; everything else failed only the second.
  EXPECT_EQ(by_attempts["<none>"], 25 + 10);
  EXPECT_EQ(by_attempts["1"], 3 + 10);
  EXPECT_EQ(by_attempts["2"], 3);

  // A third identical call finds the same 13 and still readmits none: the cursor moved past the rest.
  st = readmit(gate->address(), "", resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.scanned(), 13u);
  EXPECT_EQ(resp.readmitted(), 0u);
  gate->stop();
}

TEST(quality_gate, a_windowed_expectation_alerts_by_metric_log_line_and_webhook) {
  alert_receiver receiver;
  auto prefix = "qgw" + std::to_string(std::random_device{}() % 1'000'000);
  auto dir = fs::stack::work_dir() + "/" + prefix;
  std::string y = "pipeline: qgtest\ntopics:\n";
  for (const char* role : freshet::config::required_topic_roles)
    y += std::string{"  - {role: "} + role + ", name: " + prefix + "." + role + "}\n";
  y += "streams:\n  - {name: orders}\nexpectations:\n  webhook: " + receiver.url() + R"(
  streams:
    orders:
      - {name: orders_per_second, row_count: {min: 1000}, window: 1s}
      - {name: user_nulls, null_ratio: {field: user_id, max: 0.1}, window: 1s}
)";
  auto spec_path = fs::write_file(dir + "/pipeline.yaml", y);
  auto spec = freshet::config::load_pipeline_spec(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), spec->topics).ok());

  auto ports = fs::free_ports(2);
  auto log = dir + "/gate.log";
  fs::child_process gate{fs::binary_path("freshet-quality-gate"),
                         {"--pipeline.spec=" + spec_path, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                          "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                          "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]), "--kafka.group=" + prefix,
                          "--alerts.tick_ms=200"},
                         log};
  // A trickle of events whose user_id is null: too few per second, and too many nulls.
  std::vector<event_in> events;
  for (int i = 0; i < 5; ++i)
    events.push_back({"orders", "k" + std::to_string(i), R"({"id":"n)" + std::to_string(i) + R"(","user_id":null})", ""});
  auto has = [&](const std::string& needle) {
    for (const auto& b : receiver.bodies())
      if (b.find(needle) != std::string::npos)
        return true;
    return false;
  };
  bool both = fs::eventually(
    [&] {
      (void) publish(spec->topic_name("raw"), events);
      return has(R"("expectation":"orders_per_second")") && has(R"("expectation":"user_nulls")");
    },
    60s);
  ASSERT_TRUE(both) << fs::read_file(log);
  for (const auto& b : receiver.bodies()) {
    EXPECT_NE(b.find(R"("pipeline":"qgtest")"), std::string::npos) << b;
    EXPECT_NE(b.find(R"("stream":"orders")"), std::string::npos) << b;
  }
  EXPECT_TRUE(has(R"("kind":"null_ratio")"));
  EXPECT_TRUE(has(R"("max":0.1)"));

  auto metrics_file = dir + "/metrics.txt";
  ASSERT_EQ(fs::run_shell("curl -sf http://127.0.0.1:" + std::to_string(ports[1]) + "/metrics > " + metrics_file), 0);
  auto metrics = fs::read_file(metrics_file);
  EXPECT_NE(metrics.find(R"(freshet_quality_alerts_total{expectation="orders_per_second",stream="orders"})"),
            std::string::npos)
    << metrics;
  EXPECT_NE(metrics.find(R"(freshet_quality_window_value{expectation="user_nulls",stream="orders"} 1)"),
            std::string::npos)
    << metrics;
  EXPECT_NE(metrics.find(R"(freshet_quality_webhook_posts_total{outcome="delivered"})"), std::string::npos);
  EXPECT_NE(fs::read_file(log).find("expectation orders/user_nulls violated"), std::string::npos);

  gate.signal(SIGTERM);
  auto code = gate.wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << fs::read_file(log);
}
