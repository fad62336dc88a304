// The stage runtime's exactly-once promise, proven against a real broker: a relay stage is killed
// with SIGKILL again and again, the broker is restarted under it, and a second instance takes
// partitions from a paused zombie — and a read_committed reader still sees every event once.
#include <csignal>
#include <cstdlib>
#include <functional>
#include <random>

#include <gtest/gtest.h>

#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/relay.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace fs = freshet::testing;
using namespace std::chrono_literals;

namespace {

struct relay_topics {
  std::string in, out, group;
};

relay_topics fresh_topics(const std::string& name) {
  auto t = fs::make_topics(name, {"in", "out"}, 4);
  return {t[0], t[1], t[0] + ".group"};
}

fs::relay_process start_relay(const relay_topics& t, const std::string& instance,
                              const std::string& delivery = "exactly_once") {
  return fs::start_relay({t.in, t.out, t.group, instance, delivery});
}

/// On a failure, the end of what the relays logged (the test dir is removed afterwards).
void dump_logs(const std::vector<const fs::relay_process*>& relays) {
  for (const auto* r : relays)
    if (r && r->proc)
      (void) std::system(("echo '--- " + r->proc->log_file() + "' >&2; tail -n 80 " + r->proc->log_file() + " >&2")
                           .c_str());
}

void expect_exactly_once(const relay_topics& t, const std::string& prefix, int n,
                         const std::vector<const fs::relay_process*>& relays = {}) {
  auto seen = fs::read_committed_values(t.out, static_cast<size_t>(n), 3s, 180s);
  auto report = fs::check_exactly_once(seen, prefix, n);
  std::string first_missing;
  for (const auto& v : report.missing_values)
    first_missing += v + " ";
  EXPECT_EQ(report.missing, 0) << "first missing: " << first_missing;
  EXPECT_EQ(report.duplicated, 0);
  EXPECT_EQ(report.unexpected, 0);
  if (!report.exact())
    dump_logs(relays);
}

} // namespace

TEST(exactly_once, survives_repeated_sigkill_of_the_stage) {
  auto t = fresh_topics("eos-kill");
  const int n = 36000;
  fs::sequence_producer producer{t.in, "k-", 0, n, 2000}; // ~18 s of traffic, so every kill lands mid-stream
  std::mt19937 rng{std::random_device{}()};
  auto relay = start_relay(t, "kill-1");
  for (int kill = 0; kill < 6; ++kill) {
    ASSERT_TRUE(relay.wait_until_committing(60s)) << "the relay never committed before kill " << kill;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>{50, 900}(rng)));
    relay.proc->signal(SIGKILL);
    ASSERT_TRUE(relay.proc->wait(10s).has_value());
    relay = start_relay(t, "kill-1"); // same instance id: the new producer fences the old transaction
  }
  ASSERT_TRUE(producer.join());
  expect_exactly_once(t, "k-", n, {&relay});
  relay.proc->signal(SIGTERM);
  EXPECT_EQ(relay.proc->wait(30s), 0);
}

namespace {

/// One relay through a disturbance: the first half of `n` records goes in, `disturb` runs, the second
/// half goes in; then every record must come out once and the relay must still run and stop cleanly.
void relay_through(const std::string& name, const std::string& prefix, int n, int rate,
                   const std::function<void(const relay_topics&, const fs::relay_process&)>& disturb) {
  auto t = fresh_topics(name);
  auto relay = start_relay(t, name + "-1");
  {
    fs::sequence_producer producer{t.in, prefix, 0, n / 2, rate};
    ASSERT_TRUE(producer.join());
  }
  disturb(t, relay);
  {
    fs::sequence_producer producer{t.in, prefix, n / 2, n, rate};
    ASSERT_TRUE(producer.join());
  }
  expect_exactly_once(t, prefix, n, {&relay});
  ASSERT_TRUE(relay.proc->running()) << "the stage must recover by itself";
  relay.proc->signal(SIGTERM);
  EXPECT_EQ(relay.proc->wait(30s), 0);
}

} // namespace

TEST(exactly_once, survives_a_broker_restart_mid_stream) {
  relay_through("eos-broker", "b-", 12000, 3000, [](const relay_topics&, const fs::relay_process&) {
    std::this_thread::sleep_for(500ms);
    fs::stack::restart_kafka(/*crash=*/true);
  });
}

// Down longer than the consumer's session timeout (10 s): the static member's session expires, and
// its rejoin may fence its own old member id, which librdkafka makes fatal for the consumer (the
// next test provokes that for sure). The stage replaces a dead consumer and goes on.
TEST(exactly_once, survives_a_broker_outage_longer_than_the_session_timeout) {
  relay_through("eos-outage", "o-", 8000, 2000, [](const relay_topics&, const fs::relay_process& relay) {
    ASSERT_TRUE(relay.wait_until_committing(60s));
    fs::stack::restart_kafka(/*crash=*/true, 15s);
  });
}

// Deterministically what a long outage may do: another consumer joins with the relay's static
// member id, the broker fences the relay's consumer (fatal in librdkafka), and the relay must replace
// it, rejoin (fencing the impostor in turn) and lose or repeat nothing.
TEST(exactly_once, a_stage_whose_consumer_is_fenced_replaces_it) {
  relay_through("eos-fenced", "f-", 8000, 2000, [](const relay_topics& t, const fs::relay_process& relay) {
    ASSERT_TRUE(relay.wait_until_committing(60s));
    auto cfg = freshet::kafka::consumer_config(fs::stack::bootstrap(), t.group, "impostor");
    cfg["group.instance.id"] = t.group + "-eos-fenced-1"; // the relay's static id
    auto impostor = freshet::kafka::consumer::create(cfg);
    ASSERT_TRUE(impostor.ok());
    ASSERT_TRUE((*impostor)->subscribe({t.in}).ok());
    for (int i = 0; i < 30; ++i)
      (void) (*impostor)->poll_batch(100, 100); // joins; never commits
    impostor->reset();
    ASSERT_TRUE(fs::eventually(
      [&] { return fs::scrape_metric(relay.metrics_port, "freshet_stage_consumer_replacements_total") >= 1; }, 60s))
      << "the relay's consumer was never replaced";
  });
}

TEST(exactly_once, holds_when_partitions_move_and_a_zombie_is_fenced) {
  auto t = fresh_topics("eos-zombie");
  const int n = 16000;
  fs::sequence_producer producer{t.in, "z-", 0, n, 1000};
  auto first = start_relay(t, "zombie-a");
  std::this_thread::sleep_for(3s);
  auto second = start_relay(t, "zombie-b"); // cooperative rebalance: partitions move to b
  std::this_thread::sleep_for(3s);
  // Freeze a past its session timeout: the group gives all partitions to b. When a wakes up it is a
  // zombie of an older generation and must not commit anything.
  first.proc->signal(SIGSTOP);
  std::this_thread::sleep_for(14s);
  first.proc->signal(SIGCONT);
  ASSERT_TRUE(producer.join());
  expect_exactly_once(t, "z-", n, {&first, &second});
  for (auto* p : {first.proc.get(), second.proc.get()}) {
    p->signal(SIGTERM);
    auto code = p->wait(30s);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << p->log_file();
  }
}

TEST(exactly_once, the_at_least_once_mode_is_what_it_says_and_loses_nothing) {
  auto t = fresh_topics("alo-kill");
  const int n = 6000;
  fs::sequence_producer producer{t.in, "a-", 0, n, 2000};
  auto relay = start_relay(t, "alo-1", "at_least_once");
  ASSERT_TRUE(relay.wait_until_committing(60s));
  std::this_thread::sleep_for(500ms);
  relay.proc->signal(SIGKILL);
  ASSERT_TRUE(relay.proc->wait(10s).has_value());
  relay = start_relay(t, "alo-1", "at_least_once");
  ASSERT_TRUE(producer.join());
  auto seen = fs::read_committed_values(t.out, static_cast<size_t>(n), 3s, 120s);
  EXPECT_EQ(fs::check_exactly_once(seen, "a-", n).missing, 0);
  relay.proc->signal(SIGTERM);
  EXPECT_EQ(relay.proc->wait(30s), 0);
}
