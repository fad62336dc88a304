// common/kafka against a real broker: producer -> consumer round trip, delivery reports, admin,
// commit-and-resume, seek.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
using namespace std::chrono_literals;

namespace {

std::string unique(const std::string& base) {
  static std::mt19937_64 rng{std::random_device{}()};
  return base + "-" + std::to_string(rng() % 1'000'000'000);
}

std::string make_topic(int partitions) {
  auto name = unique("kt");
  auto st = kafka::create_topics(fs::stack::bootstrap(), {{"test", name, partitions, "delete", -1}});
  EXPECT_TRUE(st.ok()) << st.err().describe();
  return name;
}

std::unique_ptr<kafka::producer> make_producer() {
  auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "kafka-adapter-test"));
  EXPECT_TRUE(p.ok()) << p.err().describe();
  return std::move(*p);
}

std::unique_ptr<kafka::consumer> make_consumer(const std::string& group, const std::string& topic,
                                               kafka::rebalance_listener l = {}) {
  auto c = kafka::consumer::create(kafka::consumer_config(fs::stack::bootstrap(), group, "kafka-adapter-test"), l);
  EXPECT_TRUE(c.ok()) << c.err().describe();
  EXPECT_TRUE((*c)->subscribe({topic}).ok());
  return std::move(*c);
}

/// Polls until `n` records arrived (or 60 s passed).
std::vector<kafka::consumed_record> read_n(kafka::consumer& c, size_t n) {
  std::vector<kafka::consumed_record> out;
  fs::eventually(
    [&] {
      auto batch = c.poll_batch(n - out.size(), 200);
      EXPECT_TRUE(batch.ok());
      if (batch.ok())
        out.insert(out.end(), batch->begin(), batch->end());
      return out.size() >= n;
    },
    60s);
  return out;
}

/// Produces `values` to partition 0 of `topic` and waits for every acknowledgement.
void produce_all(const std::string& topic, int n) {
  auto p = make_producer();
  std::atomic<int> acked{0};
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(p->produce({topic, 0, "k", "v" + std::to_string(i), {}, 0},
                           [&](const kafka::delivery_report& r) { acked += r.ok ? 1 : 0; })
                  .ok());
  ASSERT_TRUE(p->flush(30000).ok());
  ASSERT_EQ(acked.load(), n);
}

TEST(kafka_admin, create_topics_is_idempotent_and_partition_count_reports_the_layout) {
  auto name = unique("admin");
  std::vector<freshet::config::topic_spec> specs{{"a", name, 3, "delete", 3'600'000},
                                                 {"b", name + "-compact", 1, "compact", -1}};
  auto st = kafka::create_topics(fs::stack::bootstrap(), specs);
  ASSERT_TRUE(st.ok()) << st.err().describe();
  auto n = kafka::partition_count(fs::stack::bootstrap(), name);
  ASSERT_TRUE(n.ok()) << n.err().describe();
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(*kafka::partition_count(fs::stack::bootstrap(), name + "-compact"), 1);

  // Again, and with a different partition count: existing topics are left as they are.
  specs[0].partitions = 5;
  st = kafka::create_topics(fs::stack::bootstrap(), specs);
  ASSERT_TRUE(st.ok()) << st.err().describe();
  EXPECT_EQ(*kafka::partition_count(fs::stack::bootstrap(), name), 3);
  EXPECT_TRUE(kafka::create_topics(fs::stack::bootstrap(), {}).ok());
}

TEST(kafka_admin, partition_count_of_a_missing_topic_is_an_error) {
  auto n = kafka::partition_count(fs::stack::bootstrap(), unique("never-created"));
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.err().domain, freshet::error_domain::kafka);
  EXPECT_EQ(n.err().code, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) << n.err().message;
}

TEST(kafka_admin, a_topic_the_broker_refuses_is_an_error) {
  auto st = kafka::create_topics(fs::stack::bootstrap(), {{"x", unique("bad-rf"), 1, "no-such-policy", -1}}, 15000);
  EXPECT_FALSE(st.ok());
}

TEST(kafka_clients, round_trip_keeps_key_value_headers_and_timestamp) {
  auto topic = make_topic(3);
  auto producer = make_producer();
  constexpr int n = 60;
  const int64_t ts0 = 1'700'000'000'000;
  std::mutex mtx;
  std::map<std::string, kafka::delivery_report> reports; // by value
  for (int i = 0; i < n; ++i) {
    kafka::outgoing_record rec;
    rec.topic = topic;
    rec.key = "user-" + std::to_string(i % 7);
    rec.value = std::string{"v\0", 2} + std::to_string(i) + "\xff";
    rec.headers = {{"freshet.stream", "page_view"}, {"bin", std::string{"\0\1\2", 3}}, {"empty", ""}};
    rec.timestamp_ms = ts0 + i;
    auto value = rec.value;
    ASSERT_TRUE(producer
                  ->produce(std::move(rec),
                            [&, value](const kafka::delivery_report& r) {
                              std::lock_guard g{mtx};
                              reports[value] = r;
                            })
                  .ok());
  }
  ASSERT_TRUE(producer->flush(30000).ok());
  EXPECT_EQ(producer->queue_length(), 0);
  {
    std::lock_guard g{mtx};
    ASSERT_EQ(reports.size(), static_cast<size_t>(n));
    for (const auto& [v, r] : reports) {
      EXPECT_TRUE(r.ok) << r.err.describe();
      EXPECT_GE(r.partition, 0);
      EXPECT_LT(r.partition, 3);
      EXPECT_GE(r.offset, 0);
    }
  }

  std::vector<kafka::topic_partition> assigned;
  auto consumer = make_consumer(unique("g"), topic, {[&](const auto& tps) { assigned = tps; }, {}});
  auto got = read_n(*consumer, n);
  ASSERT_EQ(got.size(), static_cast<size_t>(n));
  EXPECT_EQ(assigned.size(), 3u);
  EXPECT_EQ(consumer->assignment().size(), 3u);
  std::map<std::string, int32_t> partition_of_key;
  for (const auto& r : got) {
    EXPECT_EQ(r.topic, topic);
    auto i = std::stoi(r.value.substr(2));
    EXPECT_EQ(r.value, (std::string{"v\0", 2} + std::to_string(i) + "\xff"));
    EXPECT_EQ(r.key, "user-" + std::to_string(i % 7));
    EXPECT_EQ(r.timestamp_ms, ts0 + i);
    ASSERT_EQ(r.headers.size(), 3u);
    EXPECT_EQ(*r.find_header("freshet.stream"), "page_view");
    EXPECT_EQ(*r.find_header("bin"), (std::string{"\0\1\2", 3}));
    EXPECT_EQ(*r.find_header("empty"), "");
    EXPECT_EQ(r.find_header("absent"), nullptr);
    const auto& report = reports.at(r.value);
    EXPECT_EQ(report.partition, r.partition);
    EXPECT_EQ(report.offset, r.offset);
    auto [it, fresh] = partition_of_key.emplace(r.key, r.partition);
    EXPECT_EQ(it->second, r.partition) << "one key, one partition";
  }
}

TEST(kafka_clients, destroying_the_producer_delivers_every_callback_once) {
  auto topic = make_topic(1);
  std::atomic<int> calls{0}, ok{0};
  {
    auto producer = make_producer();
    for (int i = 0; i < 500; ++i)
      ASSERT_TRUE(producer
                    ->produce({topic, -1, "", "x" + std::to_string(i), {}, 0},
                              [&](const kafka::delivery_report& r) {
                                ++calls;
                                ok += r.ok ? 1 : 0;
                              })
                    .ok());
  }
  EXPECT_EQ(calls.load(), 500);
  EXPECT_EQ(ok.load(), 500);
}

TEST(kafka_clients, a_new_consumer_in_the_group_resumes_after_the_committed_offset) {
  auto topic = make_topic(1);
  produce_all(topic, 10);
  auto group = unique("resume");
  {
    auto first = make_consumer(group, topic);
    auto got = read_n(*first, 10);
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got.front().offset, 0);
    EXPECT_EQ(first->high_watermark({topic, 0}), 10);
    auto before = first->committed({{topic, 0}});
    ASSERT_TRUE(before.ok()) << before.err().describe();
    EXPECT_EQ(before->at(0).next_offset, -1); // nothing committed yet
    // Only the first six are done: the next to read is offset 6.
    ASSERT_TRUE(first->commit({{{topic, 0}, 6}}).ok());
    EXPECT_TRUE(first->commit({}).ok());
    auto after = first->committed({{topic, 0}});
    ASSERT_TRUE(after.ok()) << after.err().describe();
    EXPECT_EQ(after->at(0).next_offset, 6);
    first->close();
    first->close(); // idempotent
  }
  auto second = make_consumer(group, topic);
  auto got = read_n(*second, 4);
  ASSERT_EQ(got.size(), 4u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].offset, static_cast<int64_t>(6 + i));
    EXPECT_EQ(got[i].value, "v" + std::to_string(6 + i));
  }
}

TEST(kafka_clients, seek_rereads_from_the_given_offset) {
  auto topic = make_topic(1);
  produce_all(topic, 10);
  auto c = make_consumer(unique("seek"), topic);
  auto got = read_n(*c, 10);
  ASSERT_EQ(got.size(), 10u);
  ASSERT_TRUE(c->seek({{topic, 0}, 3}).ok());
  auto again = read_n(*c, 7);
  ASSERT_EQ(again.size(), 7u);
  for (size_t i = 0; i < again.size(); ++i)
    EXPECT_EQ(again[i].offset, static_cast<int64_t>(3 + i));
}

TEST(kafka_clients, revoke_listener_runs_when_the_consumer_leaves) {
  auto topic = make_topic(2);
  std::atomic<int> revoked{0};
  auto c = make_consumer(unique("revoke"), topic, {{}, [&](const auto& tps, bool) { revoked += static_cast<int>(tps.size()); }});
  ASSERT_TRUE(fs::eventually(
    [&] {
      (void) c->poll_batch(10, 100);
      return c->assignment().size() == 2;
    },
    30s));
  c->close();
  EXPECT_EQ(revoked.load(), 2);
}

TEST(kafka_clients, invalid_client_settings_are_errors) {
  auto p = kafka::producer::create(kafka::merged(kafka::producer_config(fs::stack::bootstrap(), "x"),
                                                {{"no.such.setting", "1"}}));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.err().domain, freshet::error_domain::kafka);
  auto c = kafka::consumer::create(kafka::merged(kafka::consumer_config(fs::stack::bootstrap(), "g", "x"),
                                                 {{"session.timeout.ms", "not-a-number"}}));
  EXPECT_FALSE(c.ok());
}

} // namespace
