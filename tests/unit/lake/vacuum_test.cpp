// VACUUM (what time travel within the retention needs stays, orphans and expired files go, a dry
// run deletes nothing, the table's retention floor) and log cleanup (every retained version stays
// reconstructable).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_cleanup.hpp"
#include "common/lake/log_paths.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/optimize.hpp"
#include "common/lake/vacuum.hpp"
#include "tests/unit/lake/maintenance_fixtures.hpp"

namespace {

using namespace freshet::lake;
using namespace freshet::lake::testing;
namespace fs = std::filesystem;
constexpr int64_t hour = 3600 * 1000;

/// Every regular file under `root`, relative.
std::set<std::string> files_under(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file())
      out.insert(fs::relative(e.path(), root).generic_string());
  return out;
}

std::set<std::string> log_files(const std::string& root) {
  std::set<std::string> out;
  for (const auto& f : files_under(root))
    if (f.starts_with("_delta_log/"))
      out.insert(f);
  return out;
}

bool all_files_exist(const table& t, const snapshot& s) {
  for (const auto& [path, add] : s.files())
    if (!fs::exists(t.root() + "/" + decode_path(path)))
      return false;
  return true;
}

/// A table with 4 appends (v1..v4), an OPTIMIZE (v5) that removed them, an orphan data file (never
/// committed) and a stray file in a partition folder.
struct history {
  temp_table_dir dir;
  std::unique_ptr<table> t;
  std::set<std::string> compacted; ///< the files v5 removed
  std::string orphan, stray;

  history() {
    t = small_table(dir.str());
    for (int64_t f = 0; f < 4; ++f)
      append_file(*t, "2024-05-01", {f, f + 10});
    for (const auto& [path, add] : t->latest().files())
      compacted.insert(decode_path(path));
    EXPECT_EQ(optimize(*t, {}).value().version, 5);
    orphan = write_file(*t, "2024-05-02", {42}).path; // a writer that crashed before committing
    stray = "date=2024-05-01/notes.txt";
    std::ofstream{dir.str() + "/" + stray} << "not data";
  }
};

TEST(vacuum, keeps_what_time_travel_within_the_retention_needs) {
  history h;
  const auto before = files_under(h.dir.str());
  const auto log_before = log_files(h.dir.str());
  vacuum_options o;
  o.retention_ms = 2 * hour;
  o.force = true;
  o.now_ms = freshet::now_ms() + hour; // v5 (removing the small files) committed an hour ago
  auto r = vacuum(*h.t, o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_TRUE(r->deleted.empty()) << r->deleted.front();
  EXPECT_EQ(r->kept_for_retention, 6) << "4 tombstoned files, the orphan and the stray file: all young";
  EXPECT_EQ(files_under(h.dir.str()), before);
  for (int64_t v = 1; v <= 5; ++v)
    EXPECT_TRUE(all_files_exist(*h.t, h.t->snapshot_at(v).value())) << "version " << v << " can be read";

  o.now_ms = freshet::now_ms() + 3 * hour; // now v5 is older than the retention
  r = vacuum(*h.t, o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  std::set<std::string> deleted(r->deleted.begin(), r->deleted.end());
  auto want = h.compacted;
  want.insert(h.orphan);
  want.insert(h.stray);
  EXPECT_EQ(deleted, want);
  EXPECT_EQ(r->removed_files, 4);
  EXPECT_EQ(r->orphans, 2);
  EXPECT_EQ(log_files(h.dir.str()), log_before);
  for (const auto& f : want)
    EXPECT_FALSE(fs::exists(h.dir.sub(f))) << f;
  EXPECT_TRUE(all_files_exist(*h.t, h.t->latest())) << "the current version is whole";
  EXPECT_FALSE(all_files_exist(*h.t, h.t->snapshot_at(4).value())) << "older than the retention: gone";
}

TEST(vacuum, never_touches_the_log_and_a_dry_run_deletes_nothing) {
  history h;
  ASSERT_TRUE(h.t->write_checkpoint().ok());
  const auto before = files_under(h.dir.str());
  const auto log_before = log_files(h.dir.str());
  ASSERT_FALSE(log_before.empty());
  vacuum_options o;
  o.retention_ms = 0;
  o.force = true;
  o.dry_run = true;
  o.now_ms = freshet::now_ms() + hour;
  auto r = vacuum(*h.t, o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_TRUE(r->dry_run);
  EXPECT_EQ(r->deleted.size(), 6u) << "what would go is listed";
  EXPECT_GT(r->bytes, 0);
  EXPECT_EQ(files_under(h.dir.str()), before) << "nothing went";

  o.dry_run = false;
  r = vacuum(*h.t, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deleted.size(), 6u);
  EXPECT_EQ(log_files(h.dir.str()), log_before) << "_delta_log is never touched";
  EXPECT_TRUE(all_files_exist(*h.t, h.t->latest()));
}

TEST(vacuum, refuses_a_retention_below_the_tables_unless_forced) {
  temp_table_dir dir;
  auto t = small_table(dir.str(), {{"delta.deletedFileRetentionDuration", "interval 2 days"}});
  append_file(*t, "2024-05-01", {1});
  EXPECT_EQ(deleted_file_retention_ms(t->latest().metadata()), 48 * hour);
  vacuum_options o;
  o.retention_ms = 47 * hour;
  auto r = vacuum(*t, o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), errc::invalid_argument)) << r.err().describe();
  o.force = true;
  EXPECT_TRUE(vacuum(*t, o).ok());
  o = {};
  auto d = vacuum(*t, o);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->retention_ms, 48 * hour) << "the table's by default";
}

void age(const std::string& path, std::chrono::hours by) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - by);
}

TEST(log_cleanup, deletes_only_before_the_latest_old_checkpoint_so_retained_versions_stay_reconstructable) {
  temp_table_dir dir;
  auto t = small_table(dir.str(), {{"delta.checkpointInterval", "3"}});
  for (int i = 1; i <= 10; ++i) {
    auto tx = t->begin();
    tx.adds.push_back(fake_add("date=2024-05-01/f" + std::to_string(i)));
    ASSERT_TRUE(t->commit(std::move(tx)).ok());
  }
  std::vector<snapshot> versions;
  for (int64_t v = 0; v <= 10; ++v)
    versions.push_back(t->snapshot_at(v).value());
  const auto log = dir.sub("_delta_log") + "/";
  // Versions 0..7 (and checkpoints 3 and 6) are 40 days old; checkpoint 9 and what follows are new.
  for (int64_t v = 0; v <= 7; ++v)
    age(log + commit_file(v), std::chrono::hours{40 * 24});
  age(log + checkpoint_file(3), std::chrono::hours{40 * 24});
  age(log + checkpoint_file(6), std::chrono::hours{40 * 24});
  const auto before = log_files(dir.str());

  log_cleanup_options o;
  o.dry_run = true;
  auto r = cleanup_log(t->store(), t->latest().metadata(), o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_EQ(r->retention_ms, 30 * 24 * hour) << "delta.logRetentionDuration's default";
  EXPECT_EQ(r->cutoff_version, 6);
  EXPECT_EQ(r->deleted.size(), 7u) << "commits 0..5 and checkpoint 3";
  EXPECT_EQ(log_files(dir.str()), before) << "a dry run deletes nothing";

  o.dry_run = false;
  r = cleanup_log(t->store(), t->latest().metadata(), o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  std::set<std::string> want = before;
  for (int64_t v = 0; v < 6; ++v)
    want.erase("_delta_log/" + commit_file(v));
  want.erase("_delta_log/" + checkpoint_file(3));
  EXPECT_EQ(log_files(dir.str()), want);
  // Every version from the cutoff on is as it was; older ones are gone, not wrong.
  for (int64_t v = 6; v <= 10; ++v) {
    auto s = load_snapshot(t->store(), v);
    ASSERT_TRUE(s.ok()) << v << ": " << s.err().describe();
    EXPECT_EQ(s->files(), versions[static_cast<size_t>(v)].files()) << v;
  }
  auto gone = load_snapshot(t->store(), 5);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(is(gone.err(), errc::version_not_found)) << gone.err().describe();
  auto reopened = table::open(dir.str());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->latest().files(), versions[10].files());

  // Nothing older than the retention left before a checkpoint: nothing more goes.
  r = cleanup_log(t->store(), t->latest().metadata(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->deleted.empty());
}

TEST(log_cleanup, keeps_everything_without_a_checkpoint_older_than_the_retention) {
  temp_table_dir dir;
  auto t = small_table(dir.str(), {{"delta.checkpointInterval", "2"}, {"delta.logRetentionDuration", "interval 1 days"}});
  for (int i = 1; i <= 5; ++i) {
    auto tx = t->begin();
    tx.adds.push_back(fake_add("date=2024-05-01/f" + std::to_string(i)));
    ASSERT_TRUE(t->commit(std::move(tx)).ok());
  }
  const auto log = dir.sub("_delta_log") + "/";
  for (int64_t v = 0; v <= 3; ++v) // old commits, but every checkpoint is young
    age(log + commit_file(v), std::chrono::hours{48});
  const auto before = log_files(dir.str());
  auto r = cleanup_log(t->store(), t->latest().metadata(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->retention_ms, 24 * hour);
  EXPECT_FALSE(r->cutoff_version.has_value());
  EXPECT_EQ(log_files(dir.str()), before);
  for (int64_t v = 0; v <= 5; ++v)
    EXPECT_TRUE(load_snapshot(t->store(), v).ok()) << v;
}

} // namespace
