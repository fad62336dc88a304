// common/parquet: Thrift compact protocol and the metadata structs round trip; bad bytes fail cleanly.
#include <string>

#include <gtest/gtest.h>

#include "common/parquet/metadata.hpp"
#include "common/parquet/thrift_compact.hpp"

namespace {

using namespace freshet::parquet;
using thrift::compact_reader;
using thrift::compact_writer;
using thrift::ttype;

const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(thrift_compact, field_headers_use_deltas_and_long_form) {
  std::string out;
  compact_writer w{out};
  w.struct_begin();
  w.field_i32(1, 7);    // delta 1
  w.field_i32(20, -3);  // delta 19: long form
  w.field_i64(21, 1);   // delta 1 again
  w.field_bool(22, true);
  w.end_struct();
  // 0x15 = delta 1, type i32; zigzag(7) = 14.
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x15);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 14);
  // Long form: type byte, then zigzag(20) = 40.
  EXPECT_EQ(static_cast<uint8_t>(out[2]), 0x05);
  EXPECT_EQ(static_cast<uint8_t>(out[3]), 40);
  EXPECT_EQ(static_cast<uint8_t>(out[4]), 5); // zigzag(-3)

  compact_reader r{bytes_of(out), out.size()};
  r.struct_begin();
  auto h = r.next_field();
  EXPECT_EQ(h.id, 1);
  EXPECT_EQ(r.read_i32(), 7);
  h = r.next_field();
  EXPECT_EQ(h.id, 20);
  EXPECT_EQ(r.read_i32(), -3);
  h = r.next_field();
  EXPECT_EQ(h.id, 21);
  EXPECT_EQ(r.read_i64(), 1);
  h = r.next_field();
  EXPECT_EQ(h.id, 22);
  EXPECT_TRUE(r.field_bool(h));
  EXPECT_EQ(r.next_field().type, ttype::stop);
  EXPECT_FALSE(r.failed());
}

TEST(thrift_compact, integers_round_trip_at_their_extremes) {
  const int64_t values[] = {0, 1, -1, 63, -64, 64, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
  std::string out;
  compact_writer w{out};
  w.struct_begin();
  int16_t id = 1;
  for (int64_t v : values)
    w.field_i64(id++, v);
  w.field_double(id++, -2.5);
  w.field_binary(id++, std::string("a\0b", 3));
  w.end_struct();
  compact_reader r{bytes_of(out), out.size()};
  r.struct_begin();
  for (int64_t v : values) {
    r.next_field();
    EXPECT_EQ(r.read_i64(), v);
  }
  r.next_field();
  EXPECT_EQ(r.read_double(), -2.5);
  r.next_field();
  EXPECT_EQ(r.read_binary(), std::string("a\0b", 3));
  EXPECT_FALSE(r.failed());
}

TEST(thrift_compact, long_lists_and_unknown_fields_are_skipped) {
  std::string out;
  compact_writer w{out};
  w.struct_begin();
  w.field_list_begin(3, ttype::i32, 40); // 40 >= 15: size in a varint
  for (int i = 0; i < 40; ++i)
    w.elem_i32(i * 1000);
  w.field_struct_begin(4);
  w.field_double(1, 1.5);
  w.field_list_begin(2, ttype::binary, 2);
  w.elem_binary("x");
  w.elem_binary("yz");
  w.end_struct();
  w.field_list_begin(5, ttype::bool_true, 3);
  w.elem_bool(true);
  w.elem_bool(false);
  w.elem_bool(true);
  w.field_i32(6, 99);
  w.end_struct();

  compact_reader r{bytes_of(out), out.size()};
  r.struct_begin();
  for (auto h = r.next_field(); h.type != ttype::stop; h = r.next_field()) {
    if (h.id == 6)
      EXPECT_EQ(r.read_i32(), 99);
    else
      r.skip(h.type);
  }
  EXPECT_FALSE(r.failed()) << r.failure();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(thrift_compact, truncation_and_lies_fail_without_reading_past_the_end) {
  std::string out;
  compact_writer w{out};
  w.struct_begin();
  w.field_binary(1, "hello world");
  w.end_struct();
  for (size_t cut = 0; cut < out.size(); ++cut) {
    compact_reader r{bytes_of(out), cut};
    r.struct_begin();
    for (auto h = r.next_field(); h.type != ttype::stop; h = r.next_field())
      r.skip(h.type);
    EXPECT_TRUE(r.failed()) << "cut at " << cut;
  }
  // A list claiming a billion elements in three bytes.
  const std::string lie = "\x19\xfc\x80\x80\x80\x04";
  compact_reader r{bytes_of(lie), lie.size()};
  r.struct_begin();
  auto h = r.next_field();
  r.skip(h.type);
  EXPECT_TRUE(r.failed());
}

TEST(thrift_compact, nesting_depth_is_bounded) {
  std::string deep;
  for (int i = 0; i < 1000; ++i)
    deep.push_back(0x1c); // field 1, struct
  compact_reader r{bytes_of(deep), deep.size(), 64};
  r.struct_begin();
  auto h = r.next_field();
  r.skip(h.type);
  EXPECT_TRUE(r.failed());
}

file_meta_data sample_footer() {
  file_meta_data m;
  m.version = 1;
  schema_element root;
  root.name = "schema";
  root.num_children = 2;
  schema_element a;
  a.name = "a";
  a.type = physical_type::byte_array;
  a.repetition_type = repetition::optional;
  a.converted = converted_type::utf8;
  a.logical = logical_type{logical_type::kind::string};
  schema_element t;
  t.name = "ts";
  t.type = physical_type::int64;
  t.repetition_type = repetition::required;
  t.converted = converted_type::timestamp_micros;
  logical_type ts{logical_type::kind::timestamp};
  ts.is_adjusted_to_utc = true;
  ts.unit = time_unit::micros;
  t.logical = ts;
  t.field_id = 300;
  m.schema = {root, a, t};
  m.num_rows = 12345678901;
  row_group rg;
  rg.num_rows = 12345678901;
  rg.total_byte_size = 99;
  rg.file_offset = 4;
  rg.total_compressed_size = 77;
  rg.ordinal = 0;
  for (int i = 0; i < 2; ++i) {
    column_chunk c;
    column_meta_data cm;
    cm.type = i ? physical_type::int64 : physical_type::byte_array;
    cm.encodings = {encoding::plain, encoding::rle, encoding::rle_dictionary};
    cm.path_in_schema = {i ? "ts" : "a"};
    cm.codec = compression_codec::zstd;
    cm.num_values = 5;
    cm.total_uncompressed_size = 100;
    cm.total_compressed_size = 50;
    cm.data_page_offset = 40 + i;
    cm.dictionary_page_offset = 4 + i;
    statistics s;
    s.null_count = 1;
    s.min_value = "abc";
    s.max_value = std::string("\xff\x00", 2);
    s.is_min_value_exact = true;
    s.is_max_value_exact = false;
    cm.stats = s;
    cm.encoding_stats = {{page_type::dictionary_page, encoding::plain, 1}, {page_type::data_page, encoding::rle_dictionary, 3}};
    c.meta_data = cm;
    rg.columns.push_back(c);
  }
  m.row_groups = {rg};
  m.key_value_metadata = {{"k", "v"}, {"no-value", std::nullopt}};
  m.created_by = "freshet version 0.1.0";
  m.column_orders = std::vector<column_order>{column_order::type_defined, column_order::type_defined};
  return m;
}

TEST(metadata, footer_round_trips) {
  const auto m = sample_footer();
  std::string bytes;
  serialize(m, bytes);
  auto back = parse_file_meta_data(bytes);
  ASSERT_TRUE(back.ok()) << back.err().describe();
  EXPECT_EQ(back->version, 1);
  EXPECT_EQ(back->num_rows, m.num_rows);
  ASSERT_EQ(back->schema.size(), 3u);
  EXPECT_EQ(back->schema[0].num_children, 2);
  EXPECT_EQ(back->schema[1].logical->k, logical_type::kind::string);
  EXPECT_EQ(back->schema[1].converted, converted_type::utf8);
  EXPECT_EQ(back->schema[2].logical->k, logical_type::kind::timestamp);
  EXPECT_TRUE(back->schema[2].logical->is_adjusted_to_utc);
  EXPECT_EQ(back->schema[2].logical->unit, time_unit::micros);
  EXPECT_EQ(back->schema[2].field_id, 300);
  ASSERT_EQ(back->row_groups.size(), 1u);
  const auto& cm = *back->row_groups[0].columns[1].meta_data;
  EXPECT_EQ(cm.path_in_schema, std::vector<std::string>{"ts"});
  EXPECT_EQ(cm.encodings.size(), 3u);
  EXPECT_EQ(cm.codec, compression_codec::zstd);
  EXPECT_EQ(cm.dictionary_page_offset, 5);
  EXPECT_EQ(cm.stats->max_value, std::string("\xff\x00", 2));
  EXPECT_EQ(cm.stats->is_max_value_exact, false);
  EXPECT_EQ(cm.encoding_stats.size(), 2u);
  EXPECT_EQ(back->row_groups[0].ordinal, 0);
  EXPECT_EQ(back->key_value_metadata[1].key, "no-value");
  EXPECT_FALSE(back->key_value_metadata[1].value.has_value());
  ASSERT_TRUE(back->column_orders.has_value());
  EXPECT_EQ(back->column_orders->at(1), column_order::type_defined);
  // Re-serializing what was read gives the same bytes.
  std::string again;
  serialize(*back, again);
  EXPECT_EQ(again, bytes);
}

TEST(metadata, every_truncation_of_a_footer_is_an_error) {
  std::string bytes;
  serialize(sample_footer(), bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(parse_file_meta_data(std::string_view(bytes).substr(0, cut)).ok()) << cut;
}

TEST(metadata, page_headers_round_trip) {
  page_header h;
  h.type = page_type::data_page_v2;
  h.uncompressed_page_size = 1000;
  h.compressed_page_size = 400;
  h.crc = -5;
  data_page_header_v2 d;
  d.num_values = 10;
  d.num_nulls = 2;
  d.num_rows = 7;
  d.value_encoding = encoding::rle_dictionary;
  d.definition_levels_byte_length = 3;
  d.repetition_levels_byte_length = 4;
  d.is_compressed = false;
  h.data_v2 = d;
  std::string bytes;
  serialize(h, bytes);
  const size_t header_size = bytes.size();
  bytes += "page body follows";
  auto back = parse_page_header(bytes);
  ASSERT_TRUE(back.ok()) << back.err().describe();
  EXPECT_EQ(back->header_size, header_size);
  EXPECT_EQ(back->header.crc, -5);
  ASSERT_TRUE(back->header.data_v2.has_value());
  EXPECT_EQ(back->header.data_v2->num_rows, 7);
  EXPECT_EQ(back->header.data_v2->repetition_levels_byte_length, 4);
  EXPECT_FALSE(back->header.data_v2->is_compressed);
}

} // namespace
