// Snapshot reconstruction against a brute-force model of the table: from the latest checkpoint plus
// JSON commits, from JSON commits alone, and from any older version (time travel) — all equal.
// Also checkpoints (our reader on our files, fallbacks, tombstone expiry) and time travel by timestamp.
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "common/base/clock.hpp"
#include "common/lake/checkpoint.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_paths.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/table.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

namespace {

using namespace freshet::lake;
namespace fs = std::filesystem;
using freshet::lake::testing::fake_add;
using freshet::lake::testing::small_schema;
using freshet::lake::testing::temp_table_dir;

/// What the table should hold at one version, kept by the test itself.
struct model {
  std::map<std::string, add_action> files;
  std::map<std::string, remove_action> tombstones;
  std::map<std::string, int64_t> txns;
  table_schema schema;
};

void expect_equal(const snapshot& s, const model& m, const std::string& how) {
  SCOPED_TRACE(how + " at version " + std::to_string(s.version()));
  EXPECT_EQ(s.files(), m.files);
  EXPECT_EQ(s.tombstones(), m.tombstones);
  std::map<std::string, int64_t> txns;
  for (const auto& [id, t] : s.transactions())
    txns[id] = t.version;
  EXPECT_EQ(txns, m.txns);
  EXPECT_EQ(s.schema(), m.schema);
  EXPECT_EQ(s.protocol(), protocol_action{});
}

/// Builds a table of `commits` random commits and returns the model after each version.
std::vector<model> random_history(const std::string& root, int commits, uint32_t seed) {
  table_definition def;
  def.schema = small_schema();
  def.partition_columns = {"date"};
  auto t = table::create_or_open(root, def).value();
  std::vector<model> history(1);
  history[0].schema = def.schema;
  std::mt19937 rng{seed};
  int next_file = 0;
  for (int v = 1; v <= commits; ++v) {
    model m = history.back();
    auto tx = t->begin();
    int op = static_cast<int>(rng() % 10);
    if (op == 0 && v % 7 == 0) { // schema evolution
      m.schema.push_back(column("c" + std::to_string(v), primitive(data_type::kind::long_)));
      EXPECT_TRUE(t->evolve_schema(m.schema).ok());
      history.push_back(m);
      continue;
    }
    int adds = static_cast<int>(rng() % 4);
    for (int i = 0; i < adds || (op >= 8 && m.files.empty() && i < 1); ++i) {
      auto a = fake_add("date=2024-05-0" + std::to_string(1 + rng() % 3) + "/f" + std::to_string(next_file++) + ".parquet",
                        static_cast<int64_t>(rng() % 1000));
      a.tags = {{"n", std::to_string(next_file)}};
      tx.adds.push_back(a);
      m.files[a.path] = a;
      m.tombstones.erase(a.path);
    }
    if (op >= 6 && !m.files.empty()) { // remove some files (an OPTIMIZE-like rewrite)
      auto it = std::next(m.files.begin(), static_cast<long>(rng() % m.files.size()));
      if (std::none_of(tx.adds.begin(), tx.adds.end(), [&](const add_action& a) { return a.path == it->first; })) {
        remove_action r{it->first, freshet::now_ms(), false, true, it->second.partition, it->second.size, {}};
        tx.removes.push_back(r);
        m.tombstones[r.path] = r;
        m.files.erase(it);
      }
    }
    if (rng() % 2) {
      auto app = "app-" + std::to_string(rng() % 5);
      tx.txns.push_back({app, v * 10, std::nullopt});
      m.txns[app] = v * 10;
    }
    if (tx.empty())
      tx.txns.push_back({"keepalive", v, std::nullopt}), m.txns["keepalive"] = v;
    auto r = t->commit(std::move(tx));
    EXPECT_TRUE(r.ok()) << r.err().describe();
    EXPECT_EQ(r->version, v);
    EXPECT_EQ(r->checkpointed, v % 10 == 0);
    history.push_back(m);
  }
  return history;
}

TEST(snapshot, reconstruction_matches_the_model_with_and_without_checkpoints) {
  temp_table_dir dir;
  const auto root = dir.sub("t");
  auto history = random_history(root, 95, 4242);
  ASSERT_EQ(history.size(), 96u);
  auto store = *local_log_store(root, false);
  auto listing = *list_log(*store);
  EXPECT_EQ(listing.checkpoints.size(), 9u) << "a checkpoint every 10 commits";
  auto last = parse_last_checkpoint(*store->read(last_checkpoint_file).value());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->version, 90);
  EXPECT_EQ(last->num_add_files, static_cast<int64_t>(history[90].files.size()));

  // The same log without its checkpoints: a full JSON replay.
  const auto bare = dir.sub("bare");
  fs::create_directories(bare + "/_delta_log");
  for (const auto& [v, e] : listing.commits)
    fs::copy_file(root + "/_delta_log/" + e.name, bare + "/_delta_log/" + e.name);
  auto bare_store = *local_log_store(bare, false);
  for (int64_t v = 0; v <= 95; ++v) {
    auto with_cp = load_snapshot(*store, v);
    ASSERT_TRUE(with_cp.ok()) << with_cp.err().describe();
    expect_equal(*with_cp, history[static_cast<size_t>(v)], "checkpoint + commits");
    auto replayed = load_snapshot(*bare_store, v);
    ASSERT_TRUE(replayed.ok()) << replayed.err().describe();
    expect_equal(*replayed, history[static_cast<size_t>(v)], "commits only");
  }
  auto latest = table::open(root);
  ASSERT_TRUE(latest.ok());
  expect_equal((*latest)->latest(), history.back(), "open");
}

TEST(snapshot, a_broken_checkpoint_falls_back_to_an_older_one) {
  temp_table_dir dir;
  auto history = random_history(dir.str(), 25, 7);
  // A torn checkpoint (a crash mid-write by a writer that does not rename) must not break reading.
  std::ofstream{dir.str() + "/_delta_log/" + checkpoint_file(20), std::ios::trunc} << "PAR1 torn";
  auto store = *local_log_store(dir.str(), false);
  auto s = load_snapshot(*store);
  ASSERT_TRUE(s.ok()) << s.err().describe();
  expect_equal(*s, history.back(), "after a torn checkpoint");
  EXPECT_EQ(load_snapshot(*store, 20)->files(), history[20].files);
}

TEST(snapshot, versions_the_log_no_longer_has_are_reported_as_such) {
  temp_table_dir dir;
  random_history(dir.str(), 22, 9);
  // Metadata cleanup: everything before the checkpoint of version 10 is gone.
  for (int v = 0; v < 10; ++v)
    fs::remove(dir.str() + "/_delta_log/" + commit_file(v));
  auto store = *local_log_store(dir.str(), false);
  EXPECT_TRUE(load_snapshot(*store, 15).ok());
  EXPECT_TRUE(load_snapshot(*store, 10).ok());
  auto gone = load_snapshot(*store, 5);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(is(gone.err(), errc::version_not_found)) << gone.err().describe();
  auto future = load_snapshot(*store, 99);
  ASSERT_FALSE(future.ok());
  EXPECT_TRUE(is(future.err(), errc::version_not_found));
}

TEST(checkpoint, our_reader_reads_back_every_action_we_write) {
  temp_table_dir dir;
  auto history = random_history(dir.str(), 12, 11);
  auto t = table::open(dir.str()).value();
  auto cp = write_checkpoint(t->latest());
  ASSERT_TRUE(cp.ok()) << cp.err().describe();
  auto actions = read_checkpoint(cp->bytes);
  ASSERT_TRUE(actions.ok()) << actions.err().describe();
  EXPECT_EQ(static_cast<int64_t>(actions->size()), cp->info.size);
  auto s = snapshot::from_checkpoint(t->latest().version(), *actions);
  ASSERT_TRUE(s.ok());
  expect_equal(*s, history.back(), "checkpoint round trip");
  EXPECT_EQ(s->metadata(), t->latest().metadata());
  EXPECT_FALSE(read_checkpoint("not parquet").ok());
}

TEST(checkpoint, expired_tombstones_are_left_out) {
  temp_table_dir dir;
  table_definition def;
  def.schema = small_schema();
  def.partition_columns = {"date"};
  auto t = table::create_or_open(dir.str(), def).value();
  auto tx = t->begin();
  tx.adds = {fake_add("a"), fake_add("b")};
  ASSERT_TRUE(t->commit(std::move(tx)).ok());
  auto rm = t->begin();
  rm.removes.push_back({"a", freshet::now_ms() - 8LL * 24 * 3600 * 1000, true, std::nullopt, std::nullopt, std::nullopt, {}});
  rm.removes.push_back({"b", freshet::now_ms(), true, std::nullopt, std::nullopt, std::nullopt, {}});
  ASSERT_TRUE(t->commit(std::move(rm)).ok());
  auto cp = write_checkpoint(t->latest());
  auto s = snapshot::from_checkpoint(2, *read_checkpoint(cp->bytes));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->tombstones().size(), 1u);
  EXPECT_TRUE(s->tombstones().contains("b"));
  EXPECT_EQ(parse_interval_ms("interval 1 week"), 7LL * 24 * 3600 * 1000);
  EXPECT_EQ(parse_interval_ms("interval 36 hours"), 36LL * 3600 * 1000);
  EXPECT_EQ(parse_interval_ms("soon"), std::nullopt);
}

void set_mtime(const std::string& path, int64_t ms) {
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ms / 1000;
  times[0].tv_nsec = times[1].tv_nsec = (ms % 1000) * 1000000;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(time_travel, by_version_and_by_monotonic_commit_timestamp) {
  temp_table_dir dir;
  auto history = random_history(dir.str(), 14, 5);
  const int64_t base = 1'700'000'000'000;
  for (int v = 0; v <= 14; ++v)
    set_mtime(dir.str() + "/_delta_log/" + commit_file(v), base + v * 1000);
  // A clock step backwards: version 8's file is older than version 7's; it counts as 7's + 1 ms.
  set_mtime(dir.str() + "/_delta_log/" + commit_file(8), base + 6500);
  auto t = table::open(dir.str()).value();
  auto times = *commit_times(t->store());
  ASSERT_EQ(times.size(), 15u);
  EXPECT_EQ(times[8].timestamp_ms, base + 7001);
  EXPECT_EQ(times[9].timestamp_ms, base + 9000);

  auto before = t->version_at(base - 1);
  ASSERT_FALSE(before.ok());
  EXPECT_TRUE(is(before.err(), errc::version_not_found));
  EXPECT_EQ(*t->version_at(base), 0);
  EXPECT_EQ(*t->version_at(base + 3999), 3);
  EXPECT_EQ(*t->version_at(base + 4000), 4);
  EXPECT_EQ(*t->version_at(base + 7000), 7);
  EXPECT_EQ(*t->version_at(base + 7001), 8);
  EXPECT_EQ(*t->version_at(base + 1'000'000), 14);
  auto s = t->snapshot_at_timestamp(base + 5500);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->version(), 5);
  expect_equal(*s, history[5], "time travel by timestamp");

  // commitInfo timestamps are the writer's clock, recorded inside the commit.
  auto by_info = t->version_at(freshet::now_ms() + 60'000, timestamp_source::commit_info);
  ASSERT_TRUE(by_info.ok());
  EXPECT_EQ(*by_info, 14);
}

TEST(time_travel, history_is_newest_first_with_operations) {
  temp_table_dir dir;
  random_history(dir.str(), 5, 3);
  auto t = table::open(dir.str()).value();
  auto h = t->history();
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 6u);
  EXPECT_EQ((*h)[0].version, 5);
  EXPECT_EQ(h->back().version, 0);
  ASSERT_TRUE(h->back().info.has_value());
  EXPECT_EQ(h->back().info->operation, "CREATE TABLE");
  ASSERT_TRUE((*h)[0].info.has_value());
  EXPECT_EQ((*h)[0].info->read_version, 4);
  EXPECT_EQ(t->history(2)->size(), 2u);
}

TEST(snapshot, a_malformed_last_checkpoint_file_is_an_error_not_a_crash) {
  for (const char* bad : {"", "[]", R"({"size":3})", R"({"version":"7"})", R"({"version":7,"size":"big"})",
                          R"({"version":7,"size":1e300})", R"({"version":1.5})", R"({"version":-1})",
                          R"({"version":7,"parts":-2})", R"({"version":7,"parts":4294967296})"}) {
    auto r = parse_last_checkpoint(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(is(r.err(), errc::malformed_log)) << r.err().describe();
  }
  auto ok = parse_last_checkpoint(R"({"version":70.0,"size":12,"parts":null})");
  ASSERT_TRUE(ok.ok()) << ok.err().describe();
  EXPECT_EQ(ok->version, 70);
  EXPECT_EQ(ok->size, 12);
  EXPECT_EQ(ok->parts, 0);
}

} // namespace
