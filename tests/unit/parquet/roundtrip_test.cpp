// common/parquet: writer → reader round trips for every type, codec and layout the writer makes.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/parquet/error.hpp"
#include "common/parquet/reader.hpp"
#include "common/parquet/writer.hpp"
#include "random_rows.hpp"

namespace {

using namespace freshet::parquet;

std::string write_rows(const std::vector<field>& fields, const std::vector<row>& rows, const writer_options& o = {}) {
  auto s = schema::make(fields);
  EXPECT_TRUE(s.ok());
  memory_output out;
  auto w = writer::open(out, std::move(*s), o);
  EXPECT_TRUE(w.ok()) << w.err().describe();
  for (const auto& r : rows) {
    auto st = (*w)->append(r);
    EXPECT_TRUE(st.ok()) << st.err().describe();
  }
  auto st = (*w)->close();
  EXPECT_TRUE(st.ok()) << st.err().describe();
  return out.take();
}

reader open_bytes(std::string bytes) {
  auto r = reader::open(memory_input(std::move(bytes)));
  EXPECT_TRUE(r.ok()) << r.err().describe();
  return std::move(*r);
}

void expect_same_rows(const std::vector<row>& got, const std::vector<row>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].size(), want[i].size());
    for (size_t f = 0; f < want[i].size(); ++f)
      ASSERT_EQ(got[i][f], want[i][f]) << "row " << i << " field " << f << ": " << got[i][f].to_string() << " vs "
                                       << want[i][f].to_string();
  }
}

struct codec_case {
  compression_codec codec;
  bool dictionary;
};

class every_codec : public ::testing::TestWithParam<codec_case> {};

TEST_P(every_codec, every_type_round_trips) {
  const auto fields = test_rows::every_type_fields();
  const auto rows = test_rows::random_rows(fields, 3000, 11);
  writer_options o;
  o.codec = GetParam().codec;
  o.dictionary = GetParam().dictionary;
  o.data_page_max_values = 500; // several pages per chunk
  o.dictionary_only_when_smaller = false; // every column through the dictionary (random values rarely pay)
  auto r = open_bytes(write_rows(fields, rows, o));
  EXPECT_EQ(r.num_rows(), 3000);
  auto got = r.read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);
  // The schema read back is the schema written.
  ASSERT_EQ(r.file_schema().fields().size(), fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(r.file_schema().fields()[i].kind, fields[i].kind) << fields[i].name;
    EXPECT_EQ(r.file_schema().fields()[i].nullable, fields[i].nullable) << fields[i].name;
  }
  for (const auto& rg : r.metadata().row_groups)
    for (const auto& c : rg.columns) {
      EXPECT_EQ(c.meta_data->codec, GetParam().codec);
      const bool has_dict = c.meta_data->dictionary_page_offset.has_value();
      EXPECT_EQ(has_dict, GetParam().dictionary && c.meta_data->type != physical_type::boolean &&
                              c.meta_data->stats->null_count < c.meta_data->num_values);
    }
  // Deciding per chunk whether the dictionary pays changes encodings, never rows or statistics.
  o.dictionary_only_when_smaller = true;
  auto d = open_bytes(write_rows(fields, rows, o));
  auto got_d = d.read_all();
  ASSERT_TRUE(got_d.ok()) << got_d.err().describe();
  expect_same_rows(*got_d, rows);
  ASSERT_EQ(d.metadata().row_groups.size(), r.metadata().row_groups.size());
  for (size_t g = 0; g < r.metadata().row_groups.size(); ++g)
    for (size_t c = 0; c < r.metadata().row_groups[g].columns.size(); ++c) {
      const auto& a = *r.metadata().row_groups[g].columns[c].meta_data->stats;
      const auto& b = *d.metadata().row_groups[g].columns[c].meta_data->stats;
      EXPECT_EQ(a.min_value, b.min_value) << "column " << c;
      EXPECT_EQ(a.max_value, b.max_value) << "column " << c;
      EXPECT_EQ(a.null_count, b.null_count) << "column " << c;
      EXPECT_EQ(a.nan_count, b.nan_count) << "column " << c;
    }
}

TEST(roundtrip, dictionary_only_where_it_pays) {
  // Unique ids and increasing timestamps are smaller PLAIN; a handful of distinct strings is not.
  const std::vector<field> fields = {make_field("id", type_kind::string, false), make_field("ts", type_kind::int64, false),
                                     make_field("kind", type_kind::string), make_field("n", type_kind::int32, false)};
  std::vector<row> rows;
  for (int i = 0; i < 6000; ++i)
    rows.push_back({value::bytes("e-" + std::to_string(1'000'000 + i * 7919 % 6000)), value::int64(1'700'000'000'000 + i * 13),
                    i % 5 == 0 ? value{} : value::bytes(i % 3 ? "page_view" : "click"), value::int32(i % 4)});
  for (auto codec : {compression_codec::uncompressed, compression_codec::zstd, compression_codec::snappy}) {
    writer_options o;
    o.codec = codec;
    o.data_page_max_values = 1000;
    auto r = open_bytes(write_rows(fields, rows, o));
    const auto& cols = r.metadata().row_groups[0].columns;
    EXPECT_FALSE(cols[0].meta_data->dictionary_page_offset.has_value());
    EXPECT_FALSE(cols[1].meta_data->dictionary_page_offset.has_value());
    EXPECT_TRUE(cols[2].meta_data->dictionary_page_offset.has_value());
    EXPECT_TRUE(cols[3].meta_data->dictionary_page_offset.has_value());
    for (size_t c = 0; c < 2; ++c)
      for (const auto& es : cols[c].meta_data->encoding_stats)
        EXPECT_EQ(es.page_encoding, encoding::plain);
    EXPECT_EQ(cols[0].meta_data->stats->min_value, "e-1000000");
    EXPECT_EQ(cols[0].meta_data->stats->max_value, "e-1005999");
    EXPECT_EQ(cols[2].meta_data->stats->min_value, "click");
    EXPECT_EQ(cols[2].meta_data->stats->max_value, "page_view");
    EXPECT_EQ(cols[2].meta_data->stats->null_count, 1200);
    auto got = r.read_all();
    ASSERT_TRUE(got.ok()) << got.err().describe();
    expect_same_rows(*got, rows);
  }
}

INSTANTIATE_TEST_SUITE_P(parquet, every_codec,
                         ::testing::Values(codec_case{compression_codec::uncompressed, true}, codec_case{compression_codec::snappy, true},
                                           codec_case{compression_codec::zstd, true}, codec_case{compression_codec::gzip, true},
                                           codec_case{compression_codec::uncompressed, false}, codec_case{compression_codec::snappy, false},
                                           codec_case{compression_codec::zstd, false}));

TEST(roundtrip, dictionary_falls_back_to_plain_when_it_grows_too_large) {
  const std::vector<field> fields = {make_field("s", type_kind::string, false), make_field("n", type_kind::int64, false)};
  std::vector<row> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back({value::bytes("value-" + std::to_string(i)), value::int64(i % 7)});
  writer_options o;
  o.dictionary_page_limit = 4096;
  o.data_page_max_values = 256;
  o.dictionary_only_when_smaller = false; // unique strings: the first page would already choose PLAIN
  auto r = open_bytes(write_rows(fields, rows, o));
  const auto& s_meta = *r.metadata().row_groups[0].columns[0].meta_data;
  bool dict_pages = false, plain_pages = false;
  for (const auto& es : s_meta.encoding_stats) {
    dict_pages |= es.type == page_type::data_page && es.page_encoding == encoding::rle_dictionary && es.count > 0;
    plain_pages |= es.type == page_type::data_page && es.page_encoding == encoding::plain && es.count > 0;
  }
  EXPECT_TRUE(dict_pages);
  EXPECT_TRUE(plain_pages);
  EXPECT_TRUE(s_meta.dictionary_page_offset.has_value());
  // The small-cardinality column stays fully dictionary-encoded.
  for (const auto& es : r.metadata().row_groups[0].columns[1].meta_data->encoding_stats) {
    if (es.type == page_type::data_page) {
      EXPECT_EQ(es.page_encoding, encoding::rle_dictionary);
    }
  }
  auto got = r.read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);
}

TEST(roundtrip, row_groups_roll_by_size_and_by_rows) {
  const auto fields = test_rows::every_type_fields();
  const auto rows = test_rows::random_rows(fields, 5000, 5);
  writer_options by_size;
  by_size.row_group_bytes = 16 * 1024;
  auto a = open_bytes(write_rows(fields, rows, by_size));
  EXPECT_GT(a.num_row_groups(), 3u);
  int64_t total = 0;
  for (const auto& rg : a.metadata().row_groups)
    total += rg.num_rows;
  EXPECT_EQ(total, 5000);
  auto got = a.read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);

  writer_options by_rows;
  by_rows.row_group_max_rows = 1000;
  auto b = open_bytes(write_rows(fields, rows, by_rows));
  EXPECT_EQ(b.num_row_groups(), 5u);
  auto third = b.read_row_group(2);
  ASSERT_TRUE(third.ok());
  expect_same_rows(*third, std::vector<row>(rows.begin() + 2000, rows.begin() + 3000));
}

// `value` keeps bytes and items in shared storage: copies, moves and assignments between kinds must
// leave each value whole, and scalars answer empty bytes and items.
TEST(value_storage, copies_moves_and_reassignments_across_kinds) {
  const std::vector<value> kinds = {value{}, value::int64(7), value::float64(1.5), value::bytes(std::string(100, 'x')),
                                    value::list({value::bytes("a"), value{}}), value::struct_({value::int32(1)}),
                                    value::map({{value::bytes("k"), value::bytes("v")}})};
  for (const auto& a : kinds)
    for (const auto& b : kinds) {
      value x = a;
      x = b;
      EXPECT_EQ(x, b);
      value y = a;
      y = std::move(x);
      EXPECT_EQ(y, b);
      value z{std::move(y)};
      EXPECT_EQ(z, b);
      z = z; // self-assignment keeps the value
      EXPECT_EQ(z, b);
    }
  EXPECT_TRUE(value::int64(3).as_bytes().empty());
  EXPECT_TRUE(value::bytes("abc").items().empty());
  EXPECT_EQ(value::bytes("abc").as_bytes(), "abc");
}

TEST(roundtrip, statistics_are_exact_and_trusted) {
  const std::vector<field> fields = {
      make_field("i32", type_kind::int32),   make_field("i64", type_kind::int64),    make_field("f64", type_kind::float64),
      make_field("s", type_kind::string),    make_field("b", type_kind::boolean),    make_field("ts", type_kind::timestamp_us),
      make_field("f32", type_kind::float32), make_field("bin", type_kind::binary),
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<row> rows = {
      {value::int32(5), value::int64(-9), value::float64(0.0), value::bytes("b"), value::boolean(true), value::int64(100),
       value::float32(1.5f), value::bytes(std::string("\x01", 1))},
      {value{}, value::int64(12), value::float64(nan), value::bytes("\xc3\xa9t\xc3\xa9"), value::boolean(true), value{}, value{},
       value::bytes(std::string("\xff", 1))},
      {value::int32(-3), value{}, value::float64(-2.5), value::bytes("a"), value{}, value::int64(50), value::float32(-0.0f), value{}},
  };
  auto r = open_bytes(write_rows(fields, rows));
  auto st = [&](size_t c) { return r.statistics(0, c); };
  EXPECT_EQ(st(0).min, value::int32(-3));
  EXPECT_EQ(st(0).max, value::int32(5));
  EXPECT_EQ(st(0).null_count, 1);
  EXPECT_EQ(st(1).min, value::int64(-9));
  EXPECT_EQ(st(1).max, value::int64(12));
  EXPECT_EQ(st(2).min, value::float64(-2.5));
  EXPECT_EQ(st(2).max, value::float64(0.0));
  EXPECT_EQ(st(2).nan_count, 1);
  EXPECT_EQ(st(3).min, value::bytes("a"));
  EXPECT_EQ(st(3).max, value::bytes("\xc3\xa9t\xc3\xa9")); // unsigned byte order: é > b
  EXPECT_EQ(st(4).min, value::boolean(true));
  EXPECT_EQ(st(4).null_count, 1);
  EXPECT_EQ(st(5).min, value::int64(50));
  EXPECT_EQ(st(6).min, value::float32(-0.0f)); // a zero minimum is written as -0.0
  EXPECT_EQ(st(6).max, value::float32(1.5f));
  EXPECT_EQ(st(7).min, value::bytes(std::string("\x01", 1)));
  EXPECT_EQ(st(7).max, value::bytes(std::string("\xff", 1)));
  ASSERT_TRUE(r.metadata().column_orders.has_value());
  EXPECT_EQ(r.metadata().column_orders->size(), fields.size());
}

TEST(roundtrip, all_null_and_empty_files) {
  const std::vector<field> fields = {make_field("x", type_kind::string), list_field("l", make_field("", type_kind::int32))};
  const std::vector<row> rows(100, row{value{}, value{}});
  auto r = open_bytes(write_rows(fields, rows));
  EXPECT_FALSE(r.statistics(0, 0).min.has_value());
  EXPECT_EQ(r.statistics(0, 0).null_count, 100);
  auto got = r.read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);

  auto empty = open_bytes(write_rows(fields, {}));
  EXPECT_EQ(empty.num_rows(), 0);
  EXPECT_EQ(empty.num_row_groups(), 0u);
  auto none = empty.read_all();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(roundtrip, projection_and_key_value_metadata) {
  const auto fields = test_rows::every_type_fields();
  const auto rows = test_rows::random_rows(fields, 300, 9);
  writer_options o;
  o.key_value_metadata = {{"freshet.table", "events"}, {"empty", std::nullopt}};
  auto r = open_bytes(write_rows(fields, rows, o));
  EXPECT_EQ(r.key_value("freshet.table"), "events");
  EXPECT_FALSE(r.key_value("missing").has_value());
  auto got = r.read_all({"st", "s"});
  ASSERT_TRUE(got.ok()) << got.err().describe();
  ASSERT_EQ(got->size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ((*got)[i].size(), 2u);
    EXPECT_EQ((*got)[i][0], rows[i][12]);
    EXPECT_EQ((*got)[i][1], rows[i][5]);
  }
  EXPECT_FALSE(r.read_all({"nope"}).ok());
  EXPECT_FALSE(r.read_all({"s", "s"}).ok());
}

TEST(roundtrip, delta_checkpoint_shaped_rows) {
  // add{path, partitionValues map<string,string>, size, modificationTime, dataChange, stats, tags}
  const std::vector<field> fields = {
      struct_field("add", {make_field("path", type_kind::string), map_field("partitionValues", make_field("", type_kind::string),
                                                                             make_field("", type_kind::string)),
                           make_field("size", type_kind::int64), make_field("modificationTime", type_kind::int64),
                           make_field("dataChange", type_kind::boolean), make_field("stats", type_kind::string),
                           map_field("tags", make_field("", type_kind::string), make_field("", type_kind::string))}),
      struct_field("metaData", {make_field("id", type_kind::string), list_field("partitionColumns", make_field("", type_kind::string)),
                                map_field("configuration", make_field("", type_kind::string), make_field("", type_kind::string))}),
  };
  std::vector<row> rows;
  rows.push_back({value{}, value::struct_({value::bytes("id-1"), value::list({value::bytes("date")}), value::map({})})});
  for (int i = 0; i < 50; ++i)
    rows.push_back({value::struct_({value::bytes("date=2025-11-25/part-" + std::to_string(i) + ".parquet"),
                                    value::map({{value::bytes("date"), value::bytes("2025-11-25")}}), value::int64(1000 + i),
                                    value::int64(1764053045123), value::boolean(true), value::bytes(R"({"numRecords":10})"), value{}}),
                    value{}});
  auto r = open_bytes(write_rows(fields, rows));
  auto got = r.read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);
}

TEST(roundtrip, writer_rejects_bad_rows_and_stays_usable) {
  auto s = schema::make({make_field("a", type_kind::int32, false)});
  memory_output out;
  auto w = writer::open(out, std::move(*s));
  ASSERT_TRUE(w.ok());
  auto st = (*w)->append(row{value::bytes("x")});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().domain, freshet::error_domain::parquet);
  EXPECT_EQ(st.err().code, static_cast<int>(errc::schema_mismatch));
  ASSERT_TRUE((*w)->append(row{value::int32(4)}).ok());
  ASSERT_TRUE((*w)->close().ok());
  EXPECT_FALSE((*w)->append(row{value::int32(5)}).ok());
  auto r = open_bytes(out.take());
  auto got = r.read_all();
  ASSERT_TRUE(got.ok());
  expect_same_rows(*got, {row{value::int32(4)}});
}

TEST(roundtrip, files_on_disk) {
  const auto fields = test_rows::every_type_fields();
  const auto rows = test_rows::random_rows(fields, 1000, 21);
  const std::string path = ::testing::TempDir() + "freshet_parquet_roundtrip.parquet";
  {
    auto w = writer::open_file(path, *schema::make(fields));
    ASSERT_TRUE(w.ok()) << w.err().describe();
    ASSERT_TRUE((*w)->append(rows).ok());
    ASSERT_TRUE((*w)->close().ok());
  }
  auto r = reader::open_file(path);
  ASSERT_TRUE(r.ok()) << r.err().describe();
  auto got = r->read_all();
  ASSERT_TRUE(got.ok()) << got.err().describe();
  expect_same_rows(*got, rows);
  std::remove(path.c_str());
  EXPECT_FALSE(reader::open_file(path).ok());
}

TEST(reader_robustness, truncated_and_corrupted_files_are_errors_not_crashes) {
  const auto fields = test_rows::every_type_fields();
  const auto bytes = write_rows(fields, test_rows::random_rows(fields, 200, 3));
  for (size_t cut = 0; cut < bytes.size(); cut += 97) {
    auto r = reader::open(memory_input(bytes.substr(0, cut)));
    EXPECT_FALSE(r.ok());
  }
  std::mt19937_64 rng{99};
  int opened = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string b = bytes;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k)
      b[rng() % b.size()] = static_cast<char>(rng());
    auto r = reader::open(memory_input(std::move(b)));
    if (!r.ok())
      continue;
    ++opened;
    for (size_t g = 0; g < r->num_row_groups(); ++g)
      (void)r->read_row_group(g);
    for (size_t c = 0; c < r->file_schema().columns().size(); ++c)
      (void)r->statistics(0, c);
  }
  EXPECT_GT(opened, 0);
}

TEST(reader_robustness, limits_bound_what_the_reader_allocates) {
  const std::vector<field> fields = {make_field("s", type_kind::string, false)};
  // A 10 KB string repeated 2000 times: dictionary-encoded, the file is small but decodes to 20 MB.
  const std::vector<row> rows(2000, row{value::bytes(std::string(10000, 'x'))});
  const auto bytes = write_rows(fields, rows);
  EXPECT_LT(bytes.size(), 20000u);
  reader_options tight;
  tight.max_chunk_memory = 1 << 20;
  auto r = reader::open(memory_input(bytes), tight);
  ASSERT_TRUE(r.ok());
  auto got = r->read_all();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.err().code, static_cast<int>(errc::limit_exceeded));
  auto loose = reader::open(memory_input(bytes));
  ASSERT_TRUE(loose.ok());
  EXPECT_TRUE(loose->read_all().ok());
}

} // namespace
