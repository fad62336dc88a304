// common/parquet against independent implementations: pyarrow and DuckDB read every type we write
// (values and trusted statistics), and we read what pyarrow and DuckDB write. Python runs from the
// project venv (scripts/install-deps); no broker needed.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "common/parquet/reader.hpp"
#include "common/parquet/writer.hpp"
#include "tests/integration/parquet/canonical_json.hpp"
#include "tests/unit/parquet/random_rows.hpp"

namespace {

namespace fs = std::filesystem;
using namespace freshet::parquet;

std::string venv_python() {
  if (const char* p = std::getenv("FRESHET_PYTHON_READERS"))
    return p;
  std::string cache;
  if (const char* c = std::getenv("FRESHET_CACHE"))
    cache = c;
  else
    cache = std::string(std::getenv("HOME") ? std::getenv("HOME") : "/root") + "/.cache/freshet";
  return cache + "/venv/bin/python";
}

struct run_result {
  int exit_code = -1;
  std::string output;
};

/// Runs interop.py with `args` (already shell-safe paths) and captures stdout + stderr.
run_result interop(const std::string& args) {
  const std::string cmd = "'" + venv_python() + "' '" FRESHET_SOURCE_DIR "/tests/integration/parquet/interop.py' " + args + " 2>&1";
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

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream f{path, std::ios::binary};
  f << text;
}

class parquet_interop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(venv_python()))
      GTEST_SKIP() << "no Python venv at " << venv_python() << " (run scripts/install-deps)";
  }
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_'); // parameterized names have a slash
    dir_ = fs::temp_directory_path() / ("freshet-parquet-" + std::to_string(::getpid()) + "-" + name);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!std::getenv("FRESHET_KEEP_TEST_DIR"))
      fs::remove_all(dir_);
  }

  /// Writes rows with our writer, then asks pyarrow and DuckDB to read them back.
  void expect_readers_agree(const std::string& name, const std::vector<field>& fields, const std::vector<row>& rows,
                            const writer_options& o) {
    const auto file = dir_ / (name + ".parquet");
    const auto expected = dir_ / (name + ".jsonl");
    {
      auto s = schema::make(fields);
      ASSERT_TRUE(s.ok()) << s.err().describe();
      auto w = writer::open_file(file.string(), std::move(*s), o);
      ASSERT_TRUE(w.ok()) << w.err().describe();
      ASSERT_TRUE((*w)->append(rows).ok());
      ASSERT_TRUE((*w)->close().ok());
    }
    write_text(expected, interop::json_lines(fields, rows));
    const auto r = interop("check-ours '" + file.string() + "' '" + expected.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
  }

  fs::path dir_;
};

struct layout {
  const char* name;
  compression_codec codec;
  bool dictionary;
};

class every_layout : public parquet_interop, public ::testing::WithParamInterface<layout> {};

TEST_P(every_layout, pyarrow_and_duckdb_read_every_type_we_write) {
  const auto fields = test_rows::every_type_fields();
  const auto rows = test_rows::random_rows(fields, 4000, 17, {.interop = true});
  writer_options o;
  o.codec = GetParam().codec;
  o.dictionary = GetParam().dictionary;
  o.data_page_max_values = 1000;
  expect_readers_agree(GetParam().name, fields, rows, o);
}

INSTANTIATE_TEST_SUITE_P(parquet, every_layout,
                         ::testing::Values(layout{"uncompressed_dict", compression_codec::uncompressed, true},
                                           layout{"snappy_dict", compression_codec::snappy, true},
                                           layout{"zstd_dict", compression_codec::zstd, true},
                                           layout{"gzip_dict", compression_codec::gzip, true},
                                           layout{"snappy_plain", compression_codec::snappy, false},
                                           layout{"zstd_plain", compression_codec::zstd, false}),
                         [](const auto& info) { return std::string{info.param.name}; });

TEST_F(parquet_interop, row_groups_and_dictionary_fallback) {
  const std::vector<field> fields = {make_field("id", type_kind::int64, false), make_field("name", type_kind::string),
                                     make_field("score", type_kind::float64), make_field("day", type_kind::date)};
  std::vector<row> rows;
  for (int i = 0; i < 20000; ++i)
    rows.push_back({value::int64(i), i % 13 == 0 ? value{} : value::bytes("user-" + std::to_string(i * 7919 % 20000)),
                    value::float64(i * 0.25 - 100), value::int32(19000 + i % 400)});
  writer_options o;
  o.row_group_bytes = 64 * 1024;
  o.dictionary_page_limit = 8 * 1024;
  o.data_page_size = 8 * 1024;
  expect_readers_agree("row_groups_fallback", fields, rows, o);
}

TEST_F(parquet_interop, delta_checkpoint_shapes) {
  const std::vector<field> fields = {
      struct_field("txn", {make_field("appId", type_kind::string), make_field("version", type_kind::int64),
                           make_field("lastUpdated", type_kind::int64)}),
      struct_field("add", {make_field("path", type_kind::string),
                           map_field("partitionValues", make_field("", type_kind::string), make_field("", type_kind::string)),
                           make_field("size", type_kind::int64), make_field("modificationTime", type_kind::int64),
                           make_field("dataChange", type_kind::boolean), make_field("stats", type_kind::string),
                           map_field("tags", make_field("", type_kind::string), make_field("", type_kind::string))}),
      struct_field("remove", {make_field("path", type_kind::string), make_field("deletionTimestamp", type_kind::int64),
                              make_field("dataChange", type_kind::boolean)}),
      struct_field("metaData", {make_field("id", type_kind::string), struct_field("format", {make_field("provider", type_kind::string),
                                                                                             map_field("options", make_field("", type_kind::string),
                                                                                                       make_field("", type_kind::string))}),
                                make_field("schemaString", type_kind::string), list_field("partitionColumns", make_field("", type_kind::string)),
                                map_field("configuration", make_field("", type_kind::string), make_field("", type_kind::string)),
                                make_field("createdTime", type_kind::int64)}),
      struct_field("protocol", {make_field("minReaderVersion", type_kind::int32), make_field("minWriterVersion", type_kind::int32)}),
  };
  std::vector<row> rows;
  rows.push_back({value{}, value{}, value{}, value{},
                  value::struct_({value::int32(1), value::int32(2)})});
  rows.push_back({value{}, value{}, value{},
                  value::struct_({value::bytes("3f1c"), value::struct_({value::bytes("parquet"), value::map({})}),
                                  value::bytes(R"({"type":"struct","fields":[]})"), value::list({value::bytes("date")}),
                                  value::map({{value::bytes("delta.checkpointInterval"), value::bytes("10")}}), value::int64(1764053045123)}),
                  value{}});
  rows.push_back({value::struct_({value::bytes("compaction-p0"), value::int64(41), value::int64(1764053045123)}), value{}, value{}, value{},
                  value{}});
  for (int i = 0; i < 200; ++i)
    rows.push_back({value{},
                    value::struct_({value::bytes("date=2025-11-" + std::to_string(10 + i % 20) + "/part-" + std::to_string(i) + ".zstd.parquet"),
                                    value::map({{value::bytes("date"), value::bytes("2025-11-" + std::to_string(10 + i % 20))}}),
                                    value::int64(100000 + i), value::int64(1764053045123 + i), value::boolean(true),
                                    value::bytes(R"({"numRecords":)" + std::to_string(i) + "}"), value{}}),
                    i % 10 == 0 ? value::struct_({value::bytes("old-" + std::to_string(i)), value::int64(1), value::boolean(false)}) : value{},
                    value{}, value{}});
  expect_readers_agree("checkpoint", fields, rows, {});
}

TEST_F(parquet_interop, nulls_and_empty_collections) {
  const auto fields = test_rows::every_type_fields();
  std::vector<row> rows;
  for (int i = 0; i < 50; ++i) {
    row r;
    for (const auto& f : fields) {
      if (f.kind == type_kind::list || f.kind == type_kind::map)
        r.push_back(f.kind == type_kind::list ? value::list({}) : value::map({}));
      else if (!f.nullable)
        r.push_back(value::int64(i));
      else
        r.push_back(value{});
    }
    rows.push_back(std::move(r));
  }
  expect_readers_agree("nulls_and_empties", fields, rows, {});
}

TEST_F(parquet_interop, we_read_what_pyarrow_and_duckdb_write) {
  const auto made = interop("write-pyarrow '" + dir_.string() + "'");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::istringstream names{made.output};
  std::string path;
  int files = 0;
  while (std::getline(names, path)) {
    if (path.empty())
      continue;
    ++files;
    SCOPED_TRACE(path);
    auto r = reader::open_file(path);
    ASSERT_TRUE(r.ok()) << r.err().describe();
    auto rows = r->read_all();
    ASSERT_TRUE(rows.ok()) << rows.err().describe();
    EXPECT_EQ(static_cast<int64_t>(rows->size()), r->num_rows());
    const auto ours = path + ".ours.jsonl";
    write_text(ours, interop::json_lines(r->file_schema().fields(), *rows));
    const auto check = interop("check-json '" + path + "' '" + ours + "'");
    EXPECT_EQ(check.exit_code, 0) << check.output;

    // Statistics pyarrow wrote are readable and bound the values we read.
    if (auto i64 = r->file_schema().column_index("i64")) {
      const size_t f = *r->file_schema().field_index("i64");
      size_t first = 0;
      for (size_t g = 0; g < r->num_row_groups(); ++g) {
        const auto st = r->statistics(g, *i64);
        ASSERT_TRUE(st.min && st.max) << "row group " << g;
        const auto n = static_cast<size_t>(r->metadata().row_groups[g].num_rows);
        int64_t lo = INT64_MAX, hi = INT64_MIN, nulls = 0;
        for (size_t k = first; k < first + n; ++k) {
          const auto& v = (*rows)[k][f];
          if (v.is_null()) {
            ++nulls;
            continue;
          }
          lo = std::min(lo, v.as_int64());
          hi = std::max(hi, v.as_int64());
        }
        EXPECT_EQ(st.min->as_int64(), lo);
        EXPECT_EQ(st.max->as_int64(), hi);
        EXPECT_EQ(st.null_count, nulls);
        first += n;
      }
    }
    // Projection returns the same values as a full read.
    if (r->file_schema().field_index("s") && r->file_schema().field_index("b")) {
      auto some = r->read_all({"s", "b"});
      ASSERT_TRUE(some.ok()) << some.err().describe();
      const size_t fs_ = *r->file_schema().field_index("s"), fb = *r->file_schema().field_index("b");
      for (size_t k = 0; k < rows->size(); ++k) {
        ASSERT_EQ((*some)[k][0], (*rows)[k][fs_]);
        ASSERT_EQ((*some)[k][1], (*rows)[k][fb]);
      }
    }
  }
  EXPECT_GE(files, 10);
}

} // namespace
