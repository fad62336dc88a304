// stream::spawn_stage between two real topics: every record arrives, a failed batch is rewound and
// read again (at-least-once), and stopping commits what was processed.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>
#include <prometheus/registry.h>

#include "common/kafka/admin.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/stream/stage.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"

namespace fs = freshet::testing;
namespace kafka = freshet::kafka;
namespace stream = freshet::stream;
using namespace std::chrono_literals;

namespace {

constexpr int partitions = 3;
constexpr int records = 400;
constexpr size_t max_batch = 50;

struct topics {
  std::string in, out;
  topics() {
    auto id = std::to_string(std::random_device{}() % 1'000'000'000);
    in = "stage-in-" + id;
    out = "stage-out-" + id;
    auto st = kafka::create_topics(fs::stack::bootstrap(), {{"in", in, partitions, "delete", -1},
                                                            {"out", out, partitions, "delete", -1}});
    EXPECT_TRUE(st.ok()) << st.err().describe();
  }
};

void produce_input(const std::string& topic) {
  auto p = kafka::producer::create(kafka::producer_config(fs::stack::bootstrap(), "stage-test"));
  ASSERT_TRUE(p.ok());
  std::atomic<int> acked{0};
  for (int i = 0; i < records; ++i)
    ASSERT_TRUE((*p)->produce({topic, -1, "k" + std::to_string(i % 13), "r-" + std::to_string(i), {}, 0},
                              [&](const kafka::delivery_report& r) { acked += r.ok ? 1 : 0; })
                  .ok());
  ASSERT_TRUE((*p)->flush(30000).ok());
  ASSERT_EQ(acked.load(), records);
}

/// What the processor saw, shared with the stage's actor thread.
struct observed {
  std::mutex mtx;
  int calls = 0;
  std::vector<std::pair<int32_t, int64_t>> failed_batch; ///< (partition, offset) of the failed one
  std::set<std::pair<int32_t, int64_t>> seen_after_failure;
};

stream::stage_config config_for(const topics& t, const std::string& group) {
  stream::stage_config cfg;
  cfg.name = "pass-through";
  cfg.inputs = {t.in};
  cfg.consumer = kafka::consumer_config(fs::stack::bootstrap(), group, "stage-test");
  cfg.producer = kafka::producer_config(fs::stack::bootstrap(), "stage-test");
  cfg.max_batch = max_batch;
  return cfg;
}

/// The high watermarks of a topic, summed: its records (plus transaction markers, if any).
int64_t end_offsets(kafka::consumer& c, const std::string& topic) {
  int64_t total = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    EXPECT_EQ(c.handle().query_watermark_offsets(topic, p, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
    total += high;
  }
  return total;
}

/// Reads `topic` (read_committed) with a fresh group until every input value was seen and then
/// three polls in a row bring nothing more; returns how often each value was seen.
std::map<std::string, int> read_output(const std::string& topic, const std::string& group) {
  auto c = kafka::consumer::create(kafka::consumer_config(fs::stack::bootstrap(), group, "stage-test"));
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE((*c)->subscribe({topic}).ok());
  std::map<std::string, int> seen;
  int quiet = 0;
  fs::eventually(
    [&] {
      auto batch = (*c)->poll_batch(1000, 500);
      if (batch.ok())
        for (const auto& r : *batch)
          ++seen[r.value];
      quiet = (batch.ok() && batch->empty()) ? quiet + 1 : 0;
      return seen.size() >= static_cast<size_t>(records) && quiet >= 3;
    },
    90s);
  return seen;
}

class stage : public ::testing::TestWithParam<stream::delivery_mode> {
 protected:
  topics t;
  prometheus::Registry registry;

  void SetUp() override { produce_input(t.in); }

  /// Runs a stage with `process` until the output holds every input, stops it, checks that the
  /// input offsets were committed to the end, and returns how often each output value exists.
  std::map<std::string, int> run_stage(stream::batch_processor process) {
    caf::actor_system_config caf_cfg;
    caf::actor_system sys{caf_cfg};
    auto group = "stage-" + t.in;
    auto cfg = config_for(t, group);
    cfg.delivery = GetParam();
    cfg.transactional_id = "stage-test-" + t.in;
    {
      auto stage = stream::spawn_stage(sys, cfg, std::move(process), registry);
      EXPECT_TRUE(stage.ok()) << stage.err().describe();
      if (!stage.ok())
        return {};
      auto early = read_output(t.out, "early-" + t.out);
      EXPECT_EQ(early.size(), static_cast<size_t>(records)) << "records lost";
      stream::stop_stage(sys, *stage, 30000);
    }
    // Stopping committed everything the stage processed: the group's offsets are the input's ends.
    auto probe = kafka::consumer::create(kafka::consumer_config(fs::stack::bootstrap(), group, "stage-test-probe"));
    EXPECT_TRUE(probe.ok());
    std::vector<kafka::topic_partition> parts;
    for (int p = 0; p < partitions; ++p)
      parts.push_back({t.in, p});
    auto offsets = (*probe)->committed(parts);
    EXPECT_TRUE(offsets.ok()) << offsets.err().describe();
    int64_t committed = 0;
    if (offsets.ok())
      for (const auto& o : *offsets)
        committed += o.next_offset;
    EXPECT_EQ(committed, records);
    auto seen = read_output(t.out, "final-" + t.out);
    for (int i = 0; i < records; ++i)
      EXPECT_GE(seen["r-" + std::to_string(i)], 1) << "r-" << i << " never arrived";
    if (GetParam() == stream::delivery_mode::at_least_once) {
      int64_t total = 0;
      for (const auto& [v, n] : seen)
        total += n;
      EXPECT_EQ(total, end_offsets(**probe, t.out)) << "the reader missed records";
    }
    return seen;
  }

  [[nodiscard]] stream::batch_processor pass_through(std::shared_ptr<observed> obs = {}) const {
    return [obs, out = t.out](const std::vector<kafka::consumed_record>& batch)
             -> freshet::result<std::vector<kafka::outgoing_record>> {
      if (obs) {
        std::lock_guard g{obs->mtx};
        ++obs->calls;
        if (obs->calls == 2) { // the second batch fails once, as if a downstream store were down
          for (const auto& r : batch)
            obs->failed_batch.emplace_back(r.partition, r.offset);
          return freshet::make_error(freshet::error_domain::redis, 1, "store unavailable", true);
        }
        if (obs->calls > 2)
          for (const auto& r : batch)
            obs->seen_after_failure.emplace(r.partition, r.offset);
      }
      std::vector<kafka::outgoing_record> outputs;
      for (const auto& r : batch)
        outputs.push_back(kafka::forward(r, out));
      return outputs;
    };
  }
};

double counter_value(prometheus::Registry& reg, const std::string& family) {
  for (const auto& f : reg.Collect())
    if (f.name == family && !f.metric.empty())
      return f.metric.front().counter.value;
  return -1;
}

int total(const std::map<std::string, int>& seen) {
  int n = 0;
  for (const auto& [v, c] : seen)
    n += c;
  return n;
}

TEST_P(stage, a_pass_through_stage_delivers_every_record_once_when_nothing_fails) {
  auto seen = run_stage(pass_through());
  EXPECT_EQ(seen.size(), static_cast<size_t>(records));
  EXPECT_EQ(total(seen), records) << "duplicates without any failure";
  EXPECT_EQ(counter_value(registry, "freshet_stage_records_in_total"), records);
  EXPECT_EQ(counter_value(registry, "freshet_stage_records_out_total"), records);
  EXPECT_EQ(counter_value(registry, "freshet_stage_batch_retries_total"), 0);
  EXPECT_GE(counter_value(registry, "freshet_stage_commits_total"), 1);
}

TEST_P(stage, a_failed_batch_is_rewound_and_nothing_is_lost) {
  auto obs = std::make_shared<observed>();
  auto seen = run_stage(pass_through(obs));
  EXPECT_EQ(seen.size(), static_cast<size_t>(records));
  if (GetParam() == stream::delivery_mode::exactly_once)
    EXPECT_EQ(total(seen), records) << "a read_committed reader must see each output once";
  else
    EXPECT_LE(total(seen) - records, static_cast<int>(max_batch)) << "duplicates beyond one batch";
  std::lock_guard g{obs->mtx};
  ASSERT_GE(obs->calls, 3);
  ASSERT_FALSE(obs->failed_batch.empty());
  for (const auto& pos : obs->failed_batch)
    EXPECT_TRUE(obs->seen_after_failure.count(pos)) << "partition " << pos.first << " offset " << pos.second
                                                    << " was not read again after the failure";
  EXPECT_EQ(counter_value(registry, "freshet_stage_batch_retries_total"), 1);
}

INSTANTIATE_TEST_SUITE_P(delivery, stage,
                         ::testing::Values(stream::delivery_mode::at_least_once, stream::delivery_mode::exactly_once),
                         [](const auto& info) {
                           return info.param == stream::delivery_mode::exactly_once ? "exactly_once"
                                                                                    : "at_least_once";
                         });

} // namespace
