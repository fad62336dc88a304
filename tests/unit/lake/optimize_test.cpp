// OPTIMIZE: the bin-packing plan, z-values and their order, the rewrite in one dataChange=false
// commit, and how it races a concurrent append (fine) and a concurrent remove (a conflict).
#include <filesystem>
#include <numeric>

#include <gtest/gtest.h>

#include "common/lake/errc.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/optimize.hpp"
#include "common/lake/zorder.hpp"
#include "tests/unit/lake/maintenance_fixtures.hpp"

namespace {

using namespace freshet::lake;
using namespace freshet::lake::testing;
using freshet::parquet::value;
namespace fs = std::filesystem;

std::vector<int64_t> sizes(const optimize_group& g) {
  std::vector<int64_t> out;
  for (const auto& f : g.files)
    out.push_back(f.size);
  return out;
}

TEST(plan_optimize, bin_packs_small_files_per_partition_first_fit_decreasing) {
  temp_table_dir dir;
  auto t = small_table(dir.str());
  auto tx = t->begin();
  auto add = [&](const std::string& path, const std::string& date, int64_t size) {
    auto a = fake_add(path, 1, date);
    a.size = size;
    tx.adds.push_back(a);
  };
  int n = 0;
  for (int64_t size : {10, 60, 30, 50, 20, 40})
    add("date=2024-05-01/a" + std::to_string(n++), "2024-05-01", size);
  add("date=2024-05-02/lonely", "2024-05-02", 10);                   // one small file: nothing to merge
  add("date=2024-05-03/big", "2024-05-03", 500);                     // at the target: left alone
  add("date=2024-05-03/s1", "2024-05-03", 30);
  add("date=2024-05-03/s2", "2024-05-03", 30);
  ASSERT_TRUE(t->commit(std::move(tx)).ok());

  optimize_options o;
  o.target_file_bytes = 100;
  auto plan = plan_optimize(t->latest(), o);
  ASSERT_TRUE(plan.ok()) << plan.err().describe();
  ASSERT_EQ(plan->size(), 3u);
  // 60 40 | 50 30 20 | 10 (alone: dropped)
  EXPECT_EQ((*plan)[0].partition, (partition_values{{"date", "2024-05-01"}}));
  EXPECT_EQ(sizes((*plan)[0]), (std::vector<int64_t>{60, 40}));
  EXPECT_EQ(sizes((*plan)[1]), (std::vector<int64_t>{50, 30, 20}));
  EXPECT_EQ((*plan)[1].bytes, 100);
  EXPECT_EQ((*plan)[2].partition, (partition_values{{"date", "2024-05-03"}}));
  EXPECT_EQ(sizes((*plan)[2]), (std::vector<int64_t>{30, 30}));

  o.min_files = 3; // 2024-05-03 has only two candidates now
  plan = plan_optimize(t->latest(), o);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->size(), 2u);
  for (const auto& g : *plan)
    EXPECT_EQ(g.partition, (partition_values{{"date", "2024-05-01"}}));

  o.zorder_by = {"date"};
  EXPECT_TRUE(is(plan_optimize(t->latest(), o).err(), errc::invalid_argument)) << "a partition column";
  o.zorder_by = {"nope"};
  EXPECT_TRUE(is(plan_optimize(t->latest(), o).err(), errc::invalid_argument));
  o.zorder_by = {"id", "name"};
  o.min_files = 1;
  plan = plan_optimize(t->latest(), o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->size(), 3u) << "z-order takes every partition with a file not z-ordered yet, whole";
  EXPECT_EQ((*plan)[2].files.size(), 3u);
}

TEST(zorder, order_keys_sort_like_the_values) {
  std::vector<value> ascending{value::int64(INT64_MIN), value::int64(-5), value::int64(0), value::int64(7),
                               value::int64(INT64_MAX)};
  for (size_t i = 1; i < ascending.size(); ++i)
    EXPECT_LT(order_key(ascending[i - 1]), order_key(ascending[i])) << i;
  std::vector<double> doubles{-1e300, -2.5, -0.0, 1e-300, 3.0, 1e300};
  for (size_t i = 1; i < doubles.size(); ++i)
    EXPECT_LT(order_key(value::float64(doubles[i - 1])), order_key(value::float64(doubles[i]))) << doubles[i];
  EXPECT_EQ(order_key(value::float64(-0.0)), order_key(value::float64(0.0)));
  EXPECT_LT(order_key(value::int32(-1)), order_key(value::int32(1)));
  EXPECT_LT(order_key(value::bytes("DE")), order_key(value::bytes("FR")));
  EXPECT_LT(order_key(value::bytes("a")), order_key(value::bytes("ab")));
  EXPECT_EQ(order_key(value{}), 0u) << "nulls first";
}

TEST(zorder, interleaves_bits_most_significant_first_column_zero_first) {
  EXPECT_EQ(interleave_bits({0b10, 0b01}, 2), 0b1001u);
  EXPECT_EQ(interleave_bits({0b11, 0b00}, 2), 0b1010u);
  EXPECT_EQ(interleave_bits({0b111, 0b000, 0b101}, 3), 0b101'100'101u); // bit 2: 1 0 1, bit 1: 1 0 0, bit 0: 1 0 1
  EXPECT_EQ(zorder_bits(2), 32u);
  EXPECT_EQ(zorder_bits(3), 21u);
}

TEST(zorder, rows_follow_the_z_curve_over_ranks) {
  // A 4x4 grid with columns of very different ranges: ranks make them weigh alike.
  std::vector<freshet::parquet::row> rows;
  for (int64_t x = 3; x >= 0; --x)
    for (int64_t y = 0; y < 4; ++y)
      rows.push_back({value::int64(x * 1'000'000'000), value::bytes(std::string(1, static_cast<char>('a' + y)))});
  auto order = zorder_permutation(rows, {0, 1});
  std::vector<std::pair<int64_t, int>> got;
  for (auto i : order)
    got.emplace_back(rows[i][0].as_int64() / 1'000'000'000, rows[i][1].as_bytes()[0] - 'a');
  std::vector<std::pair<int64_t, int>> want;
  for (int z = 0; z < 16; ++z) // x = bits 3 and 1 of z, y = bits 2 and 0
    want.emplace_back(((z >> 2) & 2) | ((z >> 1) & 1), ((z >> 1) & 2) | (z & 1));
  EXPECT_EQ(got, want);
}

TEST(optimize, compacts_small_files_into_one_commit_that_changes_no_data) {
  temp_table_dir dir;
  auto t = small_table(dir.str());
  int64_t id = 0;
  for (int f = 0; f < 6; ++f)
    append_file(*t, "2024-05-01", {id++, id++, id++});
  for (int f = 0; f < 3; ++f)
    append_file(*t, "2024-05-02", {id++, id++});
  append_file(*t, "2024-05-03", {id++});
  const auto before = t->latest();
  ASSERT_EQ(before.files().size(), 10u);

  optimize_options o;
  o.target_file_bytes = 1 << 20;
  o.dry_run = true;
  auto dry = optimize(*t, o);
  ASSERT_TRUE(dry.ok()) << dry.err().describe();
  EXPECT_EQ(dry->version, -1);
  EXPECT_EQ(dry->files_removed, 9);
  EXPECT_EQ(t->latest().version(), before.version()) << "a dry run commits nothing";

  o.dry_run = false;
  auto r = optimize(*t, o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_EQ(r->version, before.version() + 1) << "one commit";
  EXPECT_EQ(r->files_removed, 9);
  EXPECT_EQ(r->files_added, 2);
  EXPECT_EQ(r->partitions, 2);
  EXPECT_EQ(t->latest().files().size(), 3u);
  EXPECT_EQ(ids_of(*t, t->latest()), ids_of(*t, before)) << "the same rows";
  EXPECT_EQ(t->latest().summary().records, before.summary().records);

  auto actions = read_commit(t->store(), r->version).value();
  int adds = 0, removes = 0;
  for (const auto& a : actions) {
    if (const auto* add = std::get_if<add_action>(&a)) {
      ++adds;
      EXPECT_FALSE(add->data_change);
      EXPECT_TRUE(add->stats.has_value());
    } else if (const auto* rm = std::get_if<remove_action>(&a)) {
      ++removes;
      EXPECT_FALSE(rm->data_change);
      EXPECT_TRUE(rm->deletion_timestamp.has_value());
    } else if (const auto* info = std::get_if<commit_info>(&a)) {
      EXPECT_EQ(info->operation, "OPTIMIZE");
      EXPECT_EQ(info->is_blind_append, false);
    }
  }
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(removes, 9);
  // Time travel: the version before still reads, from the files OPTIMIZE removed.
  auto old = t->snapshot_at(before.version()).value();
  EXPECT_EQ(old.files().size(), 10u);
  EXPECT_EQ(ids_of(*t, old), ids_of(*t, before));
  // Nothing left to do.
  auto again = optimize(*t, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, -1);
}

TEST(optimize, zorder_rewrites_partitions_sorted_and_tags_them) {
  temp_table_dir dir;
  auto t = small_table(dir.str());
  for (int64_t f = 0; f < 4; ++f)
    append_file(*t, "2024-05-01", {f, f + 100, f + 200, 50 - f});
  optimize_options o;
  o.zorder_by = {"id", "ts"};
  o.min_files = 1;
  auto r = optimize(*t, o);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  ASSERT_EQ(t->latest().files().size(), 1u);
  const auto& add = t->latest().files().begin()->second;
  EXPECT_EQ(add.tags.at(zorder_tag), "id,ts");
  auto rows = read_data_file_rows(t->root(), add, without_columns(t->latest().schema(), {"date"})).value();
  ASSERT_EQ(rows.size(), 16u);
  for (size_t i = 1; i < rows.size(); ++i) // id and ts grow together here: z-order is plain order
    EXPECT_LT(rows[i - 1][0].as_int64(), rows[i][0].as_int64());
  auto again = optimize(*t, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, -1) << "an already z-ordered partition is left alone";
}

TEST(optimize, a_concurrent_append_is_fine_a_concurrent_remove_conflicts) {
  temp_table_dir dir;
  auto t = small_table(dir.str());
  for (int64_t f = 0; f < 4; ++f)
    append_file(*t, "2024-05-01", {f});
  auto sink = table::open(dir.str()).value(); // another writer of the same table

  optimize_options o;
  auto job = optimize_job::prepare(*t, o);
  ASSERT_TRUE(job.ok()) << job.err().describe();
  append_file(*sink, "2024-05-01", {99}); // lands between OPTIMIZE's read and its commit
  auto r = job->commit();
  ASSERT_TRUE(r.ok()) << r.err().describe();
  EXPECT_EQ(r->commit_attempts, 2) << "lost one race, moved past the append";
  EXPECT_EQ(ids_of(*t, t->latest()), (std::vector<int64_t>{0, 1, 2, 3, 99}));

  for (int64_t f = 4; f < 7; ++f)
    append_file(*t, "2024-05-01", {f});
  ASSERT_TRUE(sink->refresh().ok());
  const auto files_on_disk = [&] {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir.str()))
      n += e.is_regular_file() && e.path().extension() == ".parquet" && e.path().string().find("_delta_log") == std::string::npos;
    return n;
  };
  size_t before_commit = 0;
  {
    auto job2 = optimize_job::prepare(*t, o);
    ASSERT_TRUE(job2.ok());
    ASSERT_FALSE(job2->empty());
    // The other writer removes one of the files OPTIMIZE read.
    auto victim = job2->report().plan.front().files.front();
    auto rm = sink->begin();
    rm.removes.push_back({victim.path, 1, true, {}, {}, {}, {}});
    ASSERT_TRUE(sink->commit(std::move(rm)).ok());
    before_commit = files_on_disk();
    auto r2 = job2->commit();
    ASSERT_FALSE(r2.ok());
    EXPECT_TRUE(is(r2.err(), errc::conflict)) << r2.err().describe();
  } // the job goes, and the file it wrote with it
  EXPECT_EQ(files_on_disk(), before_commit - 1) << "the rewritten file is deleted";
}

} // namespace
