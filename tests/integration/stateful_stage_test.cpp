// Stage state kept exactly once: a counting relay keeps a count per key in its changelog-backed
// state and emits "<key>:<n>". After repeated SIGKILLs, each key's outputs must be exactly 1..m —
// a lost state update would repeat a number, a state update without its output would skip one.
// A restarted relay reuses its local store: it reads only the changelog past its checkpoint.
#include <csignal>
#include <cstdio>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "tests/support/process.hpp"
#include "tests/support/relay.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace fs = freshet::testing;
using namespace std::chrono_literals;

namespace {

/// Each key's counts, from "<key>:<n>" values with how often each was seen.
std::map<std::string, std::multiset<int>> counts_by_key(const std::map<std::string, int>& seen) {
  std::map<std::string, std::multiset<int>> counts;
  for (const auto& [value, times] : seen) {
    auto colon = value.rfind(':');
    for (int t = 0; t < times; ++t)
      counts[value.substr(0, colon)].insert(std::stoi(value.substr(colon + 1)));
  }
  return counts;
}

} // namespace

TEST(stateful_stage, counts_per_key_survive_repeated_sigkill_exactly_once) {
  auto topics = fs::make_topics("state-kill", {"in", "out"}, 3);
  const std::string group = topics[0] + ".group";
  const int keys = 50, per_key = 400, n = keys * per_key; // ~13 s of traffic at 1500/s
  fs::sequence_producer feed{topics[0], "s-", 0, n, 1500, keys}; // key = "k<i % keys>"
  std::mt19937 rng{std::random_device{}()};
  const fs::relay_options opts{topics[0], topics[1], group, "count-1", "exactly_once", "count"};
  auto relay = fs::start_relay(opts);
  for (int kill = 0; kill < 5; ++kill) {
    ASSERT_TRUE(relay.wait_until_committing(60s)) << "the relay never committed before kill " << kill;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>{50, 900}(rng)));
    relay.proc->signal(SIGKILL);
    ASSERT_TRUE(relay.proc->wait(10s).has_value());
    relay = fs::start_relay(opts);
  }
  ASSERT_TRUE(feed.join());
  auto counts = counts_by_key(fs::read_committed_values(topics[1], static_cast<size_t>(n), 3s, 180s));
  ASSERT_EQ(counts.size(), static_cast<size_t>(keys));
  for (const auto& [key, ns] : counts) {
    std::multiset<int> expected;
    for (int i = 1; i <= per_key; ++i)
      expected.insert(i);
    EXPECT_EQ(ns, expected) << "key " << key;
  }
  relay.proc->signal(SIGTERM);
  EXPECT_EQ(relay.proc->wait(30s), 0);
}

TEST(stateful_stage, a_restart_reads_only_the_changelog_past_its_local_checkpoint) {
  auto topics = fs::make_topics("state-reuse", {"in", "out"}, 3);
  const std::string group = topics[0] + ".group";
  const int keys = 40, first = 2400, second = 800; // 60 + 20 records per key
  const fs::relay_options opts{topics[0], topics[1], group, "reuse-1", "exactly_once", "count"};
  auto relay = fs::start_relay(opts);
  {
    fs::sequence_producer feed{topics[0], "r-", 0, first, 2000, keys};
    ASSERT_TRUE(feed.join());
  }
  ASSERT_EQ(fs::read_committed_values(topics[1], static_cast<size_t>(first), 3s, 120s).size(),
            static_cast<size_t>(first));
  const double written = fs::scrape_metric(relay.metrics_port, "freshet_stage_changelog_records_total");
  ASSERT_GE(written, keys) << "every key was written to the changelog at least once";
  relay.proc->signal(SIGTERM);
  ASSERT_EQ(relay.proc->wait(30s), 0);

  relay = fs::start_relay(opts); // same instance, same state folder
  {
    fs::sequence_producer feed{topics[0], "r-", first, first + second, 2000, keys};
    ASSERT_TRUE(feed.join());
  }
  auto seen = fs::read_committed_values(topics[1], static_cast<size_t>(first + second), 3s, 120s);
  auto counts = counts_by_key(seen);
  ASSERT_EQ(counts.size(), static_cast<size_t>(keys));
  for (const auto& [key, ns] : counts) {
    std::multiset<int> expected;
    for (int i = 1; i <= (first + second) / keys; ++i)
      expected.insert(i);
    EXPECT_EQ(ns, expected) << "key " << key << ": the reused local state must continue the counts";
  }
  // Up to date after a clean stop: at most the last transaction's reports may have been missed.
  const double restored = fs::scrape_metric(relay.metrics_port, "freshet_stage_state_restored_records_total");
  std::printf("restart after a clean stop: restored %.0f of the %.0f changelog records written\n", restored, written);
  EXPECT_LT(restored, written / 4) << "restored " << restored << " of " << written << " changelog records";
  relay.proc->signal(SIGTERM);
  EXPECT_EQ(relay.proc->wait(30s), 0);
}
