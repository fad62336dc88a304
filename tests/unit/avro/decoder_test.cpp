#include <gtest/gtest.h>

#include "common/avro/decoder.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/json_encoder.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using test::example_schema;
using test::must_parse;
using test::unhex;

std::string encode(const schema& s, const std::string& json) {
  json_encoder enc{s};
  std::string out;
  auto st = enc.encode(json, out);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.err().message);
  return out;
}

errc decode_reason(const decoder& d, std::string_view bytes) {
  auto v = d.decode(bytes);
  EXPECT_FALSE(v.ok()) << "decoded garbage";
  auto st = d.check(bytes);
  EXPECT_FALSE(st.ok()) << "check accepted garbage";
  return v.ok() ? errc{0} : reason_of(v.err());
}

TEST(avro_decoder, round_trips_examples_through_json) {
  struct example {
    const char* schema;
    const char* json;
  };
  for (auto [name, json] : {
           example{"page_view", R"({"user_id":"u-1","ts":1700000000000,"url":"https://x.io/a","referrer":null,"user_agent":{"string":"M"},"ip":{"string":"10.0.0.1"}})"},
           example{"purchase", R"({"user_id":"u","ts":5,"order_id":"o-9","amount":12.5,"currency":"EUR","items":3})"},
           example{"add_to_cart", R"({"user_id":"u","ts":5,"sku":"s","quantity":-2,"unit_price":0.1,"currency":"JPY"})"},
           example{"user", R"({"user_id":"u","country":"FR","segment":"vip"})"}}) {
    auto s = must_parse(example_schema(name));
    auto bytes = encode(s, json);
    decoder d{s};
    auto back = d.decode_json(bytes);
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(*back, json);
    EXPECT_TRUE(d.check(bytes).ok());
  }
}

TEST(avro_decoder, value_tree) {
  auto s = must_parse(R"({"type":"record","name":"R","fields":[
    {"name":"m","type":{"type":"map","values":["null","double"]}},{"name":"a","type":{"type":"array","items":"bytes"}},
    {"name":"f","type":{"type":"fixed","name":"F","size":3}},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
    {"name":"x","type":"float"}]})");
  auto bytes = encode(s, R"({"m":{"p":1.5,"q":null},"a":["\u0001\u00ff"],"f":"abc","e":"B","x":0.25})");
  auto v = decoder{s}.decode(bytes);
  ASSERT_TRUE(v.ok()) << v.err().message;
  EXPECT_EQ(v->kind, type::record);
  const value* m = v->field("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->keys, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(m->items[0].kind, type::union_);
  EXPECT_EQ(m->items[0].unwrapped().real, 1.5);
  EXPECT_EQ(m->items[1].unwrapped().kind, type::null);
  EXPECT_EQ(v->field("a")->items[0].bytes, std::string("\x01\xff"));
  EXPECT_EQ(v->field("f")->bytes, "abc");
  EXPECT_EQ(v->field("e")->bytes, "B");
  EXPECT_EQ(v->field("e")->integer, 1);
  EXPECT_EQ(v->field("x")->real, 0.25);
  EXPECT_EQ(to_json(*v, union_style::bare), R"({"m":{"p":1.5,"q":null},"a":["\u0001\u00ff"],"f":"abc","e":"B","x":0.25})");
}

TEST(avro_decoder, reads_negative_count_blocks_and_several_blocks) {
  auto s = must_parse(R"({"type":"array","items":"int"})");
  decoder d{s};
  // Block of -2 items with byte size 2, then a block of 1 item, then the end.
  auto v = d.decode(unhex("03" "04" "02" "04" "02" "06" "00"));
  ASSERT_TRUE(v.ok()) << v.err().message;
  EXPECT_EQ(to_json(*v), "[1,2,3]");
}

TEST(avro_decoder, rejects_truncated_and_garbage) {
  auto pv = must_parse(example_schema("page_view"));
  decoder d{pv};
  auto good = encode(pv, R"({"user_id":"u-1","ts":17,"url":"x","ip":"1.2.3.4"})");
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_EQ(decode_reason(d, good.substr(0, n)), errc::truncated) << "cut at " << n;
  EXPECT_EQ(decode_reason(d, good + "x"), errc::trailing_bytes);
  EXPECT_EQ(decode_reason(d, unhex("01")), errc::negative_length);
  EXPECT_EQ(decode_reason(d, unhex("feffffffffffffffff01")), errc::truncated); // 2^63-1 bytes claimed
  EXPECT_EQ(decode_reason(d, unhex("ffffffffffffffffffff01")), errc::bad_varint);
  EXPECT_EQ(decode_reason(d, unhex("ffffffffffffffffff7f")), errc::bad_varint);
  EXPECT_EQ(decode_reason(d, unhex("0275" "02" "0278" "06")), errc::bad_union_index);
  EXPECT_EQ(decode_reason(d, unhex("0275" "02" "0278" "01")), errc::bad_union_index);

  auto e = must_parse(R"({"type":"enum","name":"E","symbols":["A"]})");
  EXPECT_EQ(decode_reason(decoder{e}, unhex("02")), errc::bad_enum_index);
  EXPECT_EQ(decode_reason(decoder{must_parse("\"boolean\"")}, unhex("02")), errc::invalid_encoding);
  EXPECT_EQ(decode_reason(decoder{must_parse("\"int\"")}, unhex("8080808020")), errc::bad_varint);
  EXPECT_EQ(decode_reason(decoder{must_parse("\"string\"")}, unhex("04c328")), errc::invalid_utf8);
  EXPECT_EQ(decode_reason(decoder{must_parse(R"({"type":"map","values":"int"})")}, unhex("0202ff0000")), errc::invalid_utf8);
}

TEST(avro_decoder, huge_counts_never_allocate) {
  decoder nulls{must_parse(R"({"type":"array","items":"null"})")};
  // 2^62 null items cost no bytes: the item limit stops them.
  EXPECT_EQ(decode_reason(nulls, unhex("feffffffffffffff7f" "00")), errc::length_too_large);
  auto ok = nulls.decode(unhex("c801" "00")); // 100 nulls
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->items.size(), 100u);
  decoder longs{must_parse(R"({"type":"array","items":"long"})")};
  EXPECT_EQ(decode_reason(longs, unhex("feffffffffffffff7f" "00")), errc::truncated); // cannot fit the bytes left
  EXPECT_EQ(decode_reason(longs, unhex("0100")), errc::truncated); // -1 items, size 0 claimed, then nothing
  EXPECT_EQ(decode_reason(longs, unhex("0101")), errc::negative_length);
  decoder maps{must_parse(R"({"type":"map","values":"null"})")};
  EXPECT_EQ(decode_reason(maps, unhex("feffffffffffffff7f")), errc::truncated); // each entry has a key
  decoder fixed0{must_parse(R"({"type":"array","items":{"type":"fixed","name":"Z","size":0}})")};
  EXPECT_EQ(decode_reason(fixed0, unhex("feffffffffffffff7f")), errc::length_too_large);
}

TEST(avro_decoder, deep_recursion_is_bounded) {
  auto s = must_parse(R"({"type":"record","name":"T","fields":[{"name":"c","type":["null","T"]}]})");
  decoder d{s};
  std::string deep(100000, '\x02');
  deep += '\0';
  EXPECT_EQ(decode_reason(d, deep), errc::too_deep);
  std::string fine(50, '\x02');
  fine += '\0';
  EXPECT_TRUE(d.decode(fine).ok());
}

TEST(avro_decoder, json_output_escapes_and_special_floats) {
  auto s = must_parse(R"({"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"d","type":"double"},
    {"name":"f","type":"float"},{"name":"b","type":"bytes"}]})");
  std::string bytes;
  bytes += unhex("0a225c0a0141");
  bytes += unhex("000000000000f07f");
  bytes += unhex("0000c07f");
  bytes += unhex("027f");
  auto j = decoder{s}.decode_json(bytes);
  ASSERT_TRUE(j.ok()) << j.err().message;
  EXPECT_EQ(*j, R"({"s":"\"\\\n\u0001A","d":"Infinity","f":"NaN","b":"\u007f"})");
}

} // namespace
} // namespace freshet::avro
