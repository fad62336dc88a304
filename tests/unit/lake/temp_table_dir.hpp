#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"

namespace freshet::lake::testing {

/// A fresh folder per test under the temp dir, removed afterwards (kept with FRESHET_KEEP_TEST_DIR=1).
class temp_table_dir {
 public:
  temp_table_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string{info->test_suite_name()} + "-" + info->name();
    for (auto& c : name)
      if (c == '/')
        c = '_';
    path_ = std::filesystem::temp_directory_path() / ("freshet-lake-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_table_dir() {
    if (!std::getenv("FRESHET_KEEP_TEST_DIR"))
      std::filesystem::remove_all(path_);
  }
  [[nodiscard]] std::string str() const { return path_.string(); }
  [[nodiscard]] std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// A small table schema: id long (required), name string, ts timestamp, date date (partition).
inline table_schema small_schema() {
  using k = data_type::kind;
  return {column("id", primitive(k::long_), false), column("name", primitive(k::string)),
          column("ts", primitive(k::timestamp)), column("date", primitive(k::date))};
}

/// An add for a file that need not exist (log tests do not read data).
inline add_action fake_add(const std::string& path, int64_t records = 1, const std::string& date = "2024-05-01") {
  add_action a;
  a.path = path;
  a.partition = {{"date", date}};
  a.size = 100 + records;
  a.modification_time = 1700000000000;
  a.stats = "{\"numRecords\":" + std::to_string(records) + "}";
  return a;
}

} // namespace freshet::lake::testing
