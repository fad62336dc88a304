// common/lake against delta-rs, pyarrow and DuckDB (project venv): they read the tables we write —
// every version, history, time travel, statistics, our checkpoints — and we read what delta-rs
// writes. No broker needed.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "common/base/clock.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/table.hpp"
#include "common/parquet/reader.hpp"
#include "tests/integration/parquet/canonical_json.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace freshet::lake;
using freshet::parquet::value;
using k = data_type::kind;

std::string venv_python() {
  if (const char* p = std::getenv("FRESHET_PYTHON_READERS"))
    return p;
  std::string cache = std::getenv("FRESHET_CACHE") ? std::getenv("FRESHET_CACHE")
                                                   : std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") +
                                                       "/.cache/freshet";
  return cache + "/venv/bin/python";
}

struct run_result {
  int exit_code = -1;
  std::string output;
};

run_result lake_check(const std::string& args) {
  const std::string cmd =
    "'" + venv_python() + "' '" FRESHET_SOURCE_DIR "/tests/integration/lake/lake_check.py' " + args + " 2>&1";
  run_result r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p)
    return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class lake_interop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(venv_python()))
      GTEST_SKIP() << "no Python venv at " << venv_python() << " (run scripts/install-deps)";
  }
};

table_schema interop_schema() {
  return {column("id", primitive(k::long_), false),
          column("user", primitive(k::string)),
          column("ts", primitive(k::timestamp)),
          column("score", primitive(k::double_)),
          column("geo", struct_of({column("country", primitive(k::string))})),
          column("tags", array_of(primitive(k::string))),
          column("attrs", map_of(primitive(k::string), primitive(k::long_))),
          column("date", primitive(k::date))};
}

TEST_F(lake_interop, delta_rs_pyarrow_and_duckdb_read_our_table_at_every_version) {
  freshet::lake::testing::temp_table_dir dir;
  const auto root = dir.sub("events");
  table_definition def;
  def.schema = interop_schema();
  def.partition_columns = {"date"};
  auto t = table::create_or_open(root, def).value();
  const auto data_columns = without_columns(def.schema, {"date"});

  struct live_file {
    std::vector<freshet::parquet::row> rows; // data columns + the date's days
  };
  std::map<std::string, live_file> live; // decoded relative path -> rows
  nlohmann::json versions = nlohmann::json::object();
  nlohmann::json stats = nlohmann::json::object();
  std::vector<std::string> operations{"CREATE TABLE"};
  auto record_version = [&](int64_t v) {
    nlohmann::json files = nlohmann::json::array();
    size_t rows = 0;
    for (const auto& [path, f] : live) {
      files.push_back(path);
      rows += f.rows.size();
    }
    versions[std::to_string(v)] = {{"files", files}, {"rows", rows}};
  };
  record_version(0);
  int64_t next_id = 0;
  auto write_file = [&](int32_t day, std::vector<freshet::parquet::row> rows, bool data_change) {
    auto w = data_file_writer::open(root, {"date"}, {{"date", format_date(day)}}, data_columns).value();
    for (const auto& r : rows) {
      freshet::parquet::row data(r.begin(), r.end() - 1);
      EXPECT_TRUE(w->append(data).ok());
    }
    auto add = w->close().value();
    add.data_change = data_change;
    live[decode_path(add.path)].rows = std::move(rows);
    stats[decode_path(add.path)] = nlohmann::json::parse(*add.stats);
    return add;
  };
  for (int64_t v = 1; v <= 25; ++v) {
    auto tx = t->begin();
    if (v == 15) { // an OPTIMIZE-like rewrite: three files become one
      std::vector<freshet::parquet::row> merged;
      int32_t day = 0;
      for (int i = 0; i < 3; ++i) {
        auto it = live.begin();
        while (it != live.end() && !tx.removes.empty() && it->second.rows.back().back().as_int32() != day)
          ++it;
        ASSERT_NE(it, live.end());
        day = it->second.rows.back().back().as_int32();
        merged.insert(merged.end(), it->second.rows.begin(), it->second.rows.end());
        tx.removes.push_back({encode_path(it->first), freshet::now_ms(), false, true,
                              partition_values{{"date", format_date(day)}}, 0, {}});
        stats.erase(it->first);
        live.erase(it);
      }
      tx.adds.push_back(write_file(day, std::move(merged), false));
      tx.info.operation = "OPTIMIZE";
    } else {
      for (int f = 0; f < 1 + v % 2; ++f) {
        const int32_t day = 19844 + static_cast<int32_t>((v + f) % 3);
        std::vector<freshet::parquet::row> rows;
        for (int i = 0; i < 40; ++i, ++next_id) {
          rows.push_back({value::int64(next_id), i % 9 == 0 ? value{} : value::bytes("u" + std::to_string(next_id % 17)),
                          value::int64(int64_t{day} * 86'400'000'000 + next_id * 1000),
                          i % 5 == 0 ? value{} : value::float64(static_cast<double>(next_id) / 4),
                          value::struct_({value::bytes(next_id % 2 ? "DE" : "FR")}),
                          value::list({value::bytes("t" + std::to_string(i % 3))}),
                          value::map({{value::bytes("k"), value::int64(i)}}), value::int32(day)});
        }
        tx.adds.push_back(write_file(day, std::move(rows), true));
      }
      tx.txns.push_back({"interop-app", v, freshet::now_ms()});
      tx.info.operation = v % 2 ? "WRITE" : "STREAMING UPDATE";
    }
    operations.push_back(tx.info.operation);
    auto r = t->commit(std::move(tx));
    ASSERT_TRUE(r.ok()) << r.err().describe();
    record_version(v);
    std::this_thread::sleep_for(std::chrono::milliseconds(30)); // distinct commit times for time travel
  }

  // Expected rows (canonical JSON), and what to compare.
  auto fields = to_parquet_fields(def.schema).value();
  std::vector<freshet::parquet::row> all;
  for (const auto& [path, f] : live)
    all.insert(all.end(), f.rows.begin(), f.rows.end());
  const auto rows_file = dir.sub("rows.jsonl");
  std::ofstream{rows_file} << freshet::parquet::interop::json_lines(fields, all);
  auto times = commit_times(t->store()).value();
  nlohmann::json version_at = nlohmann::json::array();
  // A moment inside each version's lifetime: halfway to the next commit. Versions committed within
  // a few ms of the next one are left out (file times are coarse and made monotonic per reader).
  for (size_t i = 0; i < times.size(); ++i) {
    const int64_t next = i + 1 < times.size() ? times[i + 1].timestamp_ms : times[i].timestamp_ms + 10;
    if (next - times[i].timestamp_ms >= 4)
      version_at.push_back({times[i].timestamp_ms + (next - times[i].timestamp_ms) / 2, times[i].version});
  }
  std::reverse(operations.begin(), operations.end());
  auto listing = list_log(t->store()).value();
  nlohmann::json expected{{"latest_version", 25},
                          {"partition_columns", {"date"}},
                          {"columns", {"id", "user", "ts", "score", "geo", "tags", "attrs", "date"}},
                          {"rows_file", rows_file},
                          {"versions", versions},
                          {"operations", operations},
                          {"version_at", version_at},
                          {"stats", stats},
                          {"txns", {{"interop-app", 25}}},
                          {"last_checkpoint", listing.checkpoints.rbegin()->first},
                          // protocol, metaData, the txn, the files of version 20, the three tombstones
                          {"checkpoint_actions", 3 + versions["20"]["files"].size() + 3}};
  ASSERT_EQ(listing.checkpoints.size(), 2u) << "checkpoints at 10 and 20";
  std::ofstream{dir.sub("expected.json")} << expected.dump();
  auto r = lake_check("check-ours '" + root + "' '" + dir.sub("expected.json") + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(lake_interop, we_read_what_delta_rs_writes_including_its_checkpoint) {
  freshet::lake::testing::temp_table_dir dir;
  auto w = lake_check("write-delta-rs '" + dir.str() + "'");
  ASSERT_EQ(w.exit_code, 0) << w.output;
  std::ifstream in{dir.sub("expected.json")};
  auto expected = nlohmann::json::parse(in);
  const auto root = dir.sub("table");
  auto listing = list_log(*local_log_store(root, false).value()).value();
  EXPECT_FALSE(listing.checkpoints.empty()) << "delta-rs wrote a checkpoint";
  auto t = table::open(root);
  ASSERT_TRUE(t.ok()) << t.err().describe();
  const auto& s = (*t)->latest();
  EXPECT_EQ(s.version(), expected["version"].get<int64_t>());
  std::set<std::string> files;
  int64_t rows = 0;
  for (const auto& [path, add] : s.files()) {
    files.insert(decode_path(path));
    auto r = freshet::parquet::reader::open_file(root + "/" + decode_path(path));
    ASSERT_TRUE(r.ok()) << path << ": " << r.err().describe();
    rows += r->num_rows();
  }
  EXPECT_EQ(files, expected["files"].get<std::set<std::string>>());
  EXPECT_EQ(rows, expected["rows"].get<int64_t>());
  EXPECT_EQ(s.txn_version("loader"), 11);
  EXPECT_EQ(s.metadata().partition_columns, expected["partition_columns"].get<std::vector<std::string>>());
  EXPECT_FALSE(s.tombstones().empty()) << "the delete removed files";
  // And the same through the checkpoint alone, at the checkpoint's version.
  auto cp_version = listing.checkpoints.begin()->first;
  auto at_cp = (*t)->snapshot_at(cp_version);
  ASSERT_TRUE(at_cp.ok()) << at_cp.err().describe();
  EXPECT_EQ(at_cp->txn_version("loader"), cp_version) << "append i committed version i with txn i";
}

} // namespace
