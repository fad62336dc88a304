// The log store and commits: put-if-absent is atomic and exclusive, racing writers (threads and
// processes) serialize into one contiguous history, and conflicts are caught, not merged.
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/lake/errc.hpp"
#include "common/lake/log_paths.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/table.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

namespace {

using namespace freshet::lake;
using freshet::lake::testing::fake_add;
using freshet::lake::testing::small_schema;
using freshet::lake::testing::temp_table_dir;

table_definition small_table() {
  table_definition d;
  d.schema = small_schema();
  d.partition_columns = {"date"};
  return d;
}

std::unique_ptr<table> open_table(const std::string& root) {
  auto t = table::open(root);
  EXPECT_TRUE(t.ok()) << t.err().describe();
  return std::move(*t);
}

std::unique_ptr<table> make(const std::string& root) {
  auto t = table::create_or_open(root, small_table());
  EXPECT_TRUE(t.ok()) << t.err().describe();
  return std::move(*t);
}

TEST(log_store, put_if_absent_never_overwrites) {
  temp_table_dir dir;
  auto store = local_log_store(dir.str());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->put_if_absent(commit_file(0), "first\n").ok());
  auto again = (*store)->put_if_absent(commit_file(0), "second\n");
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(is(again.err(), errc::version_taken)) << again.err().describe();
  EXPECT_EQ(*(*store)->read(commit_file(0)).value(), "first\n");
  ASSERT_TRUE((*store)->put("_last_checkpoint", "a").ok());
  ASSERT_TRUE((*store)->put("_last_checkpoint", "b").ok());
  EXPECT_EQ(*(*store)->read("_last_checkpoint").value(), "b");
  EXPECT_FALSE((*store)->read("missing.json").value().has_value());
  auto listing = (*store)->list();
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), 2u) << "no temp files are left behind";
  EXPECT_GT((*listing)[0].modified_ms, 0);
}

TEST(log_store, exactly_one_of_many_racing_threads_creates_a_version) {
  temp_table_dir dir;
  auto store = *local_log_store(dir.str());
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> won{0}, lost{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
      threads.emplace_back([&, i] {
        auto st = store->put_if_absent(commit_file(round), "writer " + std::to_string(i) + "\n");
        (st.ok() ? won : lost)++;
        if (!st.ok()) {
          EXPECT_TRUE(is(st.err(), errc::version_taken));
        }
      });
    for (auto& t : threads)
      t.join();
    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(lost.load(), 7);
  }
}

TEST(log_store, a_missing_log_folder_is_not_a_table) {
  temp_table_dir dir;
  auto t = table::open(dir.sub("nothing"));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(is(t.err(), errc::not_a_table)) << t.err().describe();
  EXPECT_FALSE(std::filesystem::exists(dir.sub("nothing/_delta_log"))) << "opening must not create the table";
}

TEST(table, creation_writes_protocol_and_metadata_once_even_when_racing) {
  temp_table_dir dir;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      if (table::create_or_open(dir.str(), small_table()).ok())
        ++ok;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 4);
  auto t = table::open(dir.str());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->latest().version(), 0);
  EXPECT_EQ((*t)->latest().protocol(), protocol_action{});
  EXPECT_EQ((*t)->latest().schema(), small_schema());
  EXPECT_EQ((*t)->latest().metadata().partition_columns, std::vector<std::string>{"date"});
  auto other = small_table();
  other.partition_columns = {};
  auto mismatch = table::create_or_open(dir.str(), other);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_TRUE(is(mismatch.err(), errc::invalid_argument));
}

/// Each writer appends `commits` files and moves its own txn appId; the history must be contiguous
/// and hold every file once, whatever the interleaving.
void race_writers(const std::string& root, int writer, int commits, std::atomic<int>* retries) {
  auto t = table::open(root);
  ASSERT_TRUE(t.ok()) << t.err().describe();
  const std::string app = "writer-" + std::to_string(writer);
  for (int i = 0; i < commits; ++i) {
    auto tx = (*t)->begin();
    tx.adds.push_back(fake_add("w" + std::to_string(writer) + "-" + std::to_string(i) + ".parquet"));
    tx.expected_txns[app] = i == 0 ? std::nullopt : std::optional<int64_t>{i - 1};
    tx.txns.push_back({app, i, std::nullopt});
    tx.info.operation = "STREAMING UPDATE";
    auto r = (*t)->commit(std::move(tx));
    ASSERT_TRUE(r.ok()) << r.err().describe();
    if (retries)
      *retries += r->attempts - 1;
  }
}

void expect_contiguous_history(const std::string& root, int writers, int commits) {
  auto t = table::open(root);
  ASSERT_TRUE(t.ok()) << t.err().describe();
  const auto& s = (*t)->latest();
  EXPECT_EQ(s.version(), writers * commits);
  EXPECT_EQ(static_cast<int>(s.files().size()), writers * commits);
  for (int w = 0; w < writers; ++w)
    EXPECT_EQ(s.txn_version("writer-" + std::to_string(w)), commits - 1);
  auto listing = list_log((*t)->store());
  ASSERT_TRUE(listing.ok());
  int64_t expected = 0;
  for (const auto& [v, e] : listing->commits)
    EXPECT_EQ(v, expected++);
}

TEST(table, racing_writer_threads_serialize_into_one_history) {
  temp_table_dir dir;
  make(dir.str());
  std::atomic<int> retries{0};
  std::thread a{[&] { race_writers(dir.str(), 0, 60, &retries); }};
  std::thread b{[&] { race_writers(dir.str(), 1, 60, &retries); }};
  a.join();
  b.join();
  expect_contiguous_history(dir.str(), 2, 60);
  std::printf("lost races retried: %d\n", retries.load());
}

TEST(table, racing_writer_processes_serialize_into_one_history) {
  temp_table_dir dir;
  make(dir.str());
  std::vector<pid_t> children;
  for (int w = 0; w < 3; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      race_writers(dir.str(), w, 40, nullptr);
      ::_exit(::testing::Test::HasFailure() ? 1 : 0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  expect_contiguous_history(dir.str(), 3, 40);
}

TEST(table, a_disjoint_append_retries_on_the_next_version) {
  temp_table_dir dir;
  auto a = make(dir.str());
  auto b = open_table(dir.str());
  auto tx = a->begin();
  tx.adds.push_back(fake_add("a.parquet"));
  auto winner = b->begin();
  winner.adds.push_back(fake_add("b.parquet"));
  ASSERT_TRUE(b->commit(std::move(winner)).ok());
  auto r = a->commit(std::move(tx));
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(a->latest().files().size(), 2u);
}

TEST(table, a_concurrent_move_of_our_txn_app_id_is_a_conflict) {
  temp_table_dir dir;
  auto zombie = make(dir.str());
  auto successor = open_table(dir.str());
  auto stale = zombie->begin();
  stale.adds.push_back(fake_add("zombie.parquet"));
  stale.expected_txns["group-topic-0"] = std::nullopt;
  stale.txns.push_back({"group-topic-0", 41, std::nullopt});
  auto fresh = successor->begin();
  fresh.adds.push_back(fake_add("successor.parquet"));
  fresh.txns.push_back({"group-topic-0", 57, std::nullopt});
  ASSERT_TRUE(successor->commit(std::move(fresh)).ok());
  auto r = zombie->commit(std::move(stale));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), errc::conflict)) << r.err().describe();
  auto t = table::open(dir.str());
  EXPECT_EQ((*t)->latest().version(), 1) << "the zombie wrote nothing";
  EXPECT_EQ((*t)->latest().txn_version("group-topic-0"), 57);
}

TEST(table, removing_a_file_someone_else_removed_is_a_conflict) {
  temp_table_dir dir;
  auto a = make(dir.str());
  auto add = a->begin();
  add.adds.push_back(fake_add("f.parquet"));
  ASSERT_TRUE(a->commit(std::move(add)).ok());
  auto b = open_table(dir.str());
  auto optimize_a = a->begin();
  optimize_a.removes.push_back({"f.parquet", 1, false, true, partition_values{{"date", "2024-05-01"}}, 101, {}});
  optimize_a.adds.push_back(fake_add("g.parquet"));
  optimize_a.adds.back().data_change = false;
  auto optimize_b = b->begin();
  optimize_b.removes.push_back({"f.parquet", 2, false, std::nullopt, std::nullopt, std::nullopt, {}});
  ASSERT_TRUE(b->commit(std::move(optimize_b)).ok());
  auto r = a->commit(std::move(optimize_a));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), errc::conflict)) << r.err().describe();
}

TEST(table, a_concurrent_metadata_change_is_a_conflict) {
  temp_table_dir dir;
  auto a = make(dir.str());
  auto b = open_table(dir.str());
  auto tx = a->begin();
  tx.adds.push_back(fake_add("a.parquet"));
  auto wider = small_schema();
  wider.push_back(column("extra", primitive(data_type::kind::string)));
  ASSERT_TRUE(b->evolve_schema(wider).ok());
  auto r = a->commit(std::move(tx));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), errc::conflict)) << r.err().describe();
  ASSERT_TRUE(a->refresh().ok());
  EXPECT_EQ(a->latest().schema(), wider);
}

TEST(table, schema_evolution_only_adds_nullable_columns) {
  temp_table_dir dir;
  auto t = make(dir.str());
  EXPECT_EQ(*t->evolve_schema(small_schema()), 0) << "an unchanged schema commits nothing";
  auto narrower = small_schema();
  narrower.pop_back();
  EXPECT_FALSE(t->evolve_schema(narrower).ok());
  auto required = small_schema();
  required.push_back(column("must", primitive(data_type::kind::long_), false));
  EXPECT_FALSE(t->evolve_schema(required).ok());
}

TEST(table, empty_commits_and_newer_protocols_are_refused) {
  temp_table_dir dir;
  auto t = make(dir.str());
  auto empty = t->commit(t->begin());
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(is(empty.err(), errc::invalid_argument));
  // A table another engine upgraded to writer 7 is read, but not written.
  auto store = *local_log_store(dir.str());
  protocol_action p;
  p.min_writer_version = 7;
  ASSERT_TRUE(store->put_if_absent(commit_file(1), serialize_commit({p})).ok());
  ASSERT_TRUE(t->refresh().ok());
  auto tx = t->begin();
  tx.adds.push_back(fake_add("x.parquet"));
  auto r = t->commit(std::move(tx));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is(r.err(), errc::unsupported));
  protocol_action reader3;
  reader3.min_reader_version = 3;
  reader3.min_writer_version = 7;
  ASSERT_TRUE(store->put_if_absent(commit_file(2), serialize_commit({reader3})).ok());
  auto opened = table::open(dir.str());
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(is(opened.err(), errc::unsupported));
}

} // namespace
