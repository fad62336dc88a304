#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/lake/data_file.hpp"
#include "common/lake/data_file_rows.hpp"
#include "common/lake/table.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

/// Tables with real data files for the maintenance tests (OPTIMIZE, Z-order, VACUUM).
namespace freshet::lake::testing {

/// A table of `small_schema()` partitioned by date.
inline std::unique_ptr<table> small_table(const std::string& root, std::map<std::string, std::string> config = {}) {
  table_definition def;
  def.schema = small_schema();
  def.partition_columns = {"date"};
  def.configuration = std::move(config);
  auto t = table::create_or_open(root, def);
  EXPECT_TRUE(t.ok()) << t.err().describe();
  return std::move(*t);
}

/// A data file of `ids` (name "n<id>", ts = id seconds) in partition `date`, not committed.
inline add_action write_file(const table& t, const std::string& date, const std::vector<int64_t>& ids) {
  auto data = without_columns(t.latest().schema(), {"date"});
  auto w = data_file_writer::open(t.root(), {"date"}, {{"date", date}}, data).value();
  for (auto id : ids)
    EXPECT_TRUE(w->append({parquet::value::int64(id), parquet::value::bytes("n" + std::to_string(id)),
                           parquet::value::int64(id * 1'000'000)})
                  .ok());
  return w->close().value();
}

/// Commits a file of `ids` as a blind append; returns the version.
inline int64_t append_file(table& t, const std::string& date, const std::vector<int64_t>& ids) {
  auto tx = t.begin();
  tx.adds.push_back(write_file(t, date, ids));
  tx.info.operation = "STREAMING UPDATE";
  auto r = t.commit(std::move(tx));
  EXPECT_TRUE(r.ok()) << r.err().describe();
  return r.ok() ? r->version : -1;
}

/// Every id in the snapshot's files (read back from the data files), sorted.
inline std::vector<int64_t> ids_of(const table& t, const snapshot& s) {
  std::vector<int64_t> out;
  auto data = without_columns(s.schema(), {"date"});
  for (const auto& [path, add] : s.files()) {
    auto rows = read_data_file_rows(t.root(), add, data);
    EXPECT_TRUE(rows.ok()) << path << ": " << (rows.ok() ? "" : rows.err().describe());
    if (rows.ok())
      for (const auto& r : *rows)
        out.push_back(r[0].as_int64());
  }
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace freshet::lake::testing
