// ingest's field_locator: key / event time / event id read straight from Avro binary, skipping
// every other type (including blocked arrays and maps with byte sizes), against a full decode.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/avro/json_encoder.hpp"
#include "common/avro/schema.hpp"
#include "services/ingest/avro_fields.hpp"

namespace {

using namespace freshet;
using ingest::event_fields;
using ingest::field_locator;

avro::schema parse(const std::string& text) {
  auto s = avro::schema::parse(text);
  EXPECT_TRUE(s.ok()) << s.err().message;
  return *s;
}

std::string encode(const avro::schema& s, const std::string& json) {
  avro::json_encoder enc{s};
  std::string out;
  auto st = enc.encode(json, out);
  EXPECT_TRUE(st.ok()) << st.err().message;
  return out;
}

const std::string wide = R"({"type":"record","name":"W","fields":[
  {"name":"b","type":"boolean"},{"name":"f","type":"float"},{"name":"d","type":"double"},
  {"name":"fx","type":{"type":"fixed","name":"F","size":3}},
  {"name":"arr","type":{"type":"array","items":{"type":"map","values":"string"}}},
  {"name":"m","type":{"type":"map","values":["null","long"]}},
  {"name":"nested","type":{"type":"record","name":"N","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}},
  {"name":"u","type":["null","string","N"]},
  {"name":"key","type":["null","string"]},
  {"name":"event_id","type":"string"},
  {"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros"}]},
  {"name":"after","type":"string"}]})";

TEST(field_locator, reads_the_fields_after_skipping_every_kind_of_value) {
  auto s = parse(wide);
  auto loc = field_locator::make(s, "key", "ts");
  ASSERT_TRUE(loc.ok()) << loc.err().message;
  auto bytes = encode(s, R"({"b":true,"f":1.5,"d":2.5,"fx":"abc","arr":[{"x":"y"},{}],"m":{"a":{"long":5},"b":null},
    "nested":{"e":"B"},"u":{"N":{"e":"A"}},"key":{"string":"k1"},"event_id":"e-9","ts":{"long":1700000000123456},
    "after":"z"})");
  event_fields f;
  ASSERT_TRUE(loc->read(bytes, f));
  EXPECT_TRUE(f.has_key);
  EXPECT_FALSE(f.key_null);
  EXPECT_EQ(f.key, "k1");
  EXPECT_EQ(f.event_id, "e-9");
  ASSERT_TRUE(f.event_time_ms.has_value());
  EXPECT_EQ(*f.event_time_ms, 1700000000123) << "micros become millis";

  auto nulls = encode(s, R"({"b":false,"f":0,"d":0,"fx":"abc","arr":[],"m":{},"nested":{"e":"A"},"u":null,
    "key":null,"event_id":"","ts":null,"after":""})");
  ASSERT_TRUE(loc->read(nulls, f));
  EXPECT_TRUE(f.key_null);
  EXPECT_FALSE(f.event_time_ms.has_value());
}

TEST(field_locator, skips_blocks_written_with_byte_sizes) {
  auto s = parse(R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}},
    {"name":"k","type":"string"}]})");
  auto loc = field_locator::make(s, "k", "");
  ASSERT_TRUE(loc.ok());
  // Array block with a negative count (-2) and a byte size (2): items 1 and 2, then the end block.
  std::string bytes = std::string("\x03\x04\x02\x04", 4) + std::string(1, '\0') + "\x04" + "ok";
  event_fields f;
  ASSERT_TRUE(loc->read(bytes, f));
  EXPECT_EQ(f.key, "ok");
}

TEST(field_locator, keys_of_other_types_become_text) {
  auto s = parse(R"({"type":"record","name":"R","fields":[{"name":"i","type":"int"},{"name":"l","type":"long"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},{"name":"t","type":"int"}]})");
  event_fields f;
  auto bytes = encode(s, R"({"i":-42,"l":9000000000,"e":"Y","t":77})");
  ASSERT_TRUE(field_locator::make(s, "i", "t")->read(bytes, f));
  EXPECT_EQ(f.key, "-42");
  EXPECT_EQ(*f.event_time_ms, 77);
  ASSERT_TRUE(field_locator::make(s, "l", "")->read(bytes, f));
  EXPECT_EQ(f.key, "9000000000");
  ASSERT_TRUE(field_locator::make(s, "e", "")->read(bytes, f));
  EXPECT_EQ(f.key, "Y");
  ASSERT_TRUE(field_locator::make(s, "", "")->read(bytes, f));
  EXPECT_FALSE(f.has_key);
  EXPECT_FALSE(f.event_time_ms.has_value());
}

TEST(field_locator, refuses_unusable_fields) {
  auto s = parse(wide);
  EXPECT_FALSE(field_locator::make(s, "missing", "ts").ok());
  EXPECT_FALSE(field_locator::make(s, "arr", "ts").ok());
  EXPECT_FALSE(field_locator::make(s, "key", "after").ok());
  EXPECT_FALSE(field_locator::make(s, "u", "ts").ok()) << "a union of three is not a nullable key";
  EXPECT_FALSE(field_locator::make(parse(R"("string")"), "", "").ok());
}

TEST(field_locator, malformed_or_cut_data_fails_safely) {
  auto s = parse(wide);
  auto loc = field_locator::make(s, "key", "ts");
  auto bytes = encode(s, R"({"b":true,"f":1.5,"d":2.5,"fx":"abc","arr":[{"x":"y"}],"m":{"a":{"long":5}},
    "nested":{"e":"B"},"u":{"string":"s"},"key":{"string":"k1"},"event_id":"e","ts":{"long":1},"after":"z"})");
  event_fields f;
  size_t failures = 0;
  for (size_t cut = 0; cut + 3 < bytes.size(); ++cut)
    failures += loc->read(bytes.substr(0, cut), f) ? 0 : 1;
  EXPECT_GT(failures, 0u);
  std::mt19937 rng{3};
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 40, '\0');
    for (auto& c : junk)
      c = static_cast<char>(rng());
    (void) loc->read(junk, f); // must not crash or read out of bounds (ASan build checks)
  }
}

} // namespace
