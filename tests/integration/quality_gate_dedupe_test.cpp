// Event-id dedupe in the quality gate: retries of an event (same freshet.event_id) pass once,
// and the ids the gate has seen survive a SIGKILL (they live in its changelog-backed state).
#include <csignal>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
using namespace std::chrono_literals;

namespace {

std::string spec_yaml(const std::string& prefix) {
  std::string y = "pipeline: dedupe\ntopics:\n";
  for (const char* role : freshet::config::required_topic_roles)
    y += std::string{"  - {role: "} + role + ", name: " + prefix + "." + role + ", partitions: 3}\n";
  y += R"(streams:
  - {name: orders, key: user_id, event_time: ts}
expectations:
  streams:
    orders:
      - {name: once, unique: event_id, dedupe_window: 1h}
)";
  return y;
}

/// Publishes events with ids ev-<i> for i in `ids`; the payload carries the id and the attempt.
void publish(const std::string& topic, const std::vector<int>& ids, const std::string& attempt) {
  auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "dedupe-test"));
  ASSERT_TRUE(p.ok());
  auto now = std::to_string(freshet::now_ms());
  for (int i : ids) {
    kafka::outgoing_record r{topic, -1, "user-" + std::to_string(i % 7),
                             R"({"user_id":"user-)" + std::to_string(i % 7) + R"(","ts":)" + now + R"(,"id":"ev-)" +
                               std::to_string(i) + R"(","attempt":")" + attempt + R"("})",
                             {{"freshet.stream", "orders"}, {"freshet.event_id", "ev-" + std::to_string(i)},
                              {"freshet.ingest_ts", now}},
                             0};
    ASSERT_TRUE((*p)->produce(r, [](const kafka::delivery_report& d) { EXPECT_TRUE(d.ok); }).ok());
  }
  ASSERT_TRUE((*p)->flush(30000).ok());
}

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i)
    v.push_back(i);
  return v;
}

std::unique_ptr<fs::child_process> start_gate(const std::string& spec, const std::string& group) {
  auto port = fs::free_ports(1)[0];
  return std::make_unique<fs::child_process>(
    fs::binary_path("freshet-quality-gate"),
    std::vector<std::string>{"--pipeline.spec=" + spec, "--kafka.bootstrap=" + fs::stack::bootstrap(),
                             "--grpc.listen=127.0.0.1:" + std::to_string(port), "--metrics.listen=127.0.0.1:0",
                             "--kafka.group=" + group, "--service.instance=" + group + "-a",
                             "--state.dir=" + fs::stack::work_dir() + "/qg-state"},
    fs::stack::work_dir() + "/gate-dedupe.log");
}

/// "ev-<i>" -> how many times it reached the valid topic.
std::map<std::string, int> valid_ids(const std::string& topic, size_t expected) {
  std::map<std::string, int> ids;
  for (const auto& [value, n] : fs::read_committed_values(topic, expected, 3s, 90s)) {
    auto at = value.find("\"id\":\"");
    ids[value.substr(at + 6, value.find('"', at + 6) - at - 6)] += n;
  }
  return ids;
}

} // namespace

TEST(quality_gate_dedupe, retries_pass_once_even_across_a_crash) {
  auto prefix = "dd" + std::to_string(freshet::now_ms() % 100000);
  auto spec_path = fs::write_file(fs::stack::work_dir() + "/dedupe-spec.yaml", spec_yaml(prefix));
  auto spec = freshet::config::load_pipeline_spec(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  ASSERT_TRUE(kafka::create_topics(fs::stack::bootstrap(), spec->topics).ok());
  auto raw = spec->topic_name("raw"), valid = spec->topic_name("valid");

  auto gate = start_gate(spec_path, prefix + "-gate");
  publish(raw, range(0, 50), "first");
  publish(raw, range(0, 10), "retry-1"); // client retries before the crash
  auto before = valid_ids(valid, 50);
  EXPECT_EQ(before.size(), 50u);
  for (const auto& [id, n] : before)
    EXPECT_EQ(n, 1) << id;

  gate->signal(SIGKILL);
  ASSERT_TRUE(gate->wait(10s).has_value());
  gate = start_gate(spec_path, prefix + "-gate");
  publish(raw, range(10, 30), "retry-2"); // retries after the crash: the ids come back from the changelog
  publish(raw, range(50, 60), "first");

  auto after = valid_ids(valid, 60);
  EXPECT_EQ(after.size(), 60u);
  for (const auto& [id, n] : after)
    EXPECT_EQ(n, 1) << id << " passed " << n << " times";
  gate->signal(SIGTERM);
  EXPECT_EQ(gate->wait(30s), 0) << fs::read_file(fs::stack::work_dir() + "/gate-dedupe.log");
}
