#include <gtest/gtest.h>

#include "common/avro/errc.hpp"
#include "common/avro/schema.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using test::example_schema;
using test::must_parse;

errc parse_reason(const std::string& text) {
  auto s = schema::parse(text);
  EXPECT_FALSE(s.ok()) << "unexpectedly parsed: " << text;
  return s.ok() ? errc{0} : reason_of(s.err());
}

TEST(avro_schema, parses_every_primitive_in_both_forms) {
  for (const char* p : {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    auto a = must_parse(std::string{"\""} + p + "\"");
    auto b = must_parse(std::string{"{\"type\":\""} + p + "\"}");
    EXPECT_STREQ(to_string(a.root().kind), p);
    EXPECT_EQ(a.canonical_form(), b.canonical_form());
  }
}

TEST(avro_schema, clickstream_examples_parse) {
  for (const char* name : {"page_view", "purchase", "add_to_cart", "user"}) {
    auto s = schema::parse(example_schema(name));
    ASSERT_TRUE(s.ok()) << name << ": " << s.err().message;
    EXPECT_EQ(s->root().kind, type::record);
  }
  auto pv = must_parse(example_schema("page_view"));
  EXPECT_EQ(pv.root().fullname, "freshet.examples.clickstream.PageView");
  EXPECT_EQ(pv.root().fields.size(), 6u);
  const field& ts = pv.root().fields[1];
  EXPECT_EQ(ts.type->logical, logical::timestamp_millis);
  const field& ref = pv.root().fields[3];
  EXPECT_TRUE(ref.has_default);
  EXPECT_EQ(ref.default_binary, std::string(1, '\0')); // union branch 0 (null)
  EXPECT_EQ(ref.type->null_branch, 0);
}

TEST(avro_schema, namespaces_and_references) {
  auto s = must_parse(R"({"type":"record","name":"R","namespace":"a.b","fields":[
    {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},
    {"name":"e2","type":"E"},
    {"name":"e3","type":"a.b.E"},
    {"name":"f","type":{"type":"fixed","name":"c.F","size":4}},
    {"name":"g","type":{"type":"fixed","name":"G","namespace":"","size":2}},
    {"name":"m","type":{"type":"map","values":{"type":"array","items":"c.F"}}}]})");
  const node& r = s.root();
  EXPECT_EQ(r.fields[0].type->fullname, "a.b.E");
  EXPECT_EQ(r.fields[1].type, r.fields[0].type);
  EXPECT_EQ(r.fields[2].type, r.fields[0].type);
  EXPECT_EQ(r.fields[3].type->fullname, "c.F");
  EXPECT_EQ(r.fields[3].type->namespace_, "c");
  EXPECT_EQ(r.fields[4].type->fullname, "G");
  EXPECT_EQ(r.fields[5].type->values->items, r.fields[3].type);
  EXPECT_NE(s.find("c.F"), nullptr);
  EXPECT_EQ(s.find("F"), nullptr);
  // A short name resolves in the enclosing namespace only.
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","namespace":"a","fields":[
    {"name":"f","type":{"type":"fixed","name":"c.F","size":4}},{"name":"g","type":"F"}]})"),
            errc::schema_unknown_type);
}

TEST(avro_schema, aliases_are_qualified_by_the_type_namespace) {
  auto s = must_parse(R"({"type":"record","name":"R","namespace":"n","aliases":["Old","x.Other"],
    "fields":[{"name":"a","type":"int","aliases":["alpha","b"]}]})");
  EXPECT_EQ(s.root().aliases, (std::vector<std::string>{"n.Old", "x.Other"}));
  EXPECT_EQ(s.root().fields[0].aliases, (std::vector<std::string>{"alpha", "b"}));
}

TEST(avro_schema, recursive_types) {
  auto s = must_parse(R"({"type":"record","name":"List","fields":[
    {"name":"value","type":"long"},{"name":"next","type":["null","List"],"default":null}]})");
  EXPECT_EQ(s.root().fields[1].type->branches[1], &s.root());
  EXPECT_EQ(s.canonical_form(),
            R"({"name":"List","type":"record","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","List"]}]})");
}

TEST(avro_schema, logical_types_are_annotations) {
  auto s = must_parse(R"({"type":"record","name":"L","fields":[
    {"name":"a","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"b","type":{"type":"int","logicalType":"date"}},
    {"name":"c","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
    {"name":"d","type":{"type":"string","logicalType":"uuid"}},
    {"name":"e","type":{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9}},
    {"name":"f","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}},
    {"name":"g","type":{"type":"fixed","name":"D2","size":2,"logicalType":"decimal","precision":9}},
    {"name":"h","type":{"type":"int","logicalType":"timestamp-millis"}},
    {"name":"i","type":{"type":"string","logicalType":"my-own"}}]})");
  const auto& f = s.root().fields;
  EXPECT_EQ(f[0].type->logical, logical::timestamp_micros);
  EXPECT_EQ(f[1].type->logical, logical::date);
  EXPECT_EQ(f[2].type->logical, logical::decimal);
  EXPECT_EQ(f[2].type->precision, 9);
  EXPECT_EQ(f[2].type->scale, 2);
  EXPECT_EQ(f[3].type->logical, logical::uuid);
  EXPECT_EQ(f[4].type->logical, logical::decimal);
  // Invalid ones fall back to the underlying type (spec) but keep their name.
  EXPECT_EQ(f[5].type->logical, logical::none); // scale > precision
  EXPECT_EQ(f[6].type->logical, logical::none); // 2 bytes hold 4 digits at most
  EXPECT_EQ(f[7].type->logical, logical::none); // timestamp on int
  EXPECT_EQ(f[7].type->logical_name, "timestamp-millis");
  EXPECT_EQ(f[8].type->logical_name, "my-own");
  // The canonical form strips them.
  EXPECT_EQ(must_parse(R"({"type":"long","logicalType":"timestamp-millis"})").canonical_form(), "\"long\"");
}

TEST(avro_schema, enum_default_must_be_a_symbol) {
  auto s = must_parse(R"({"type":"enum","name":"E","symbols":["A","B"],"default":"B"})");
  EXPECT_EQ(s.root().enum_default, 1);
  EXPECT_EQ(parse_reason(R"({"type":"enum","name":"E","symbols":["A","B"],"default":"C"})"), errc::schema_bad_default);
}

TEST(avro_schema, validation_errors_have_reasons_and_paths) {
  EXPECT_EQ(parse_reason("{not json"), errc::schema_syntax);
  EXPECT_EQ(parse_reason("42"), errc::schema_syntax);
  EXPECT_EQ(parse_reason(R"("Nope")"), errc::schema_unknown_type);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","fields":[{"name":"a","type":"Later"}]})"),
            errc::schema_unknown_type);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","fields":[
    {"name":"a","type":{"type":"enum","name":"E","symbols":["A"]}},
    {"name":"b","type":{"type":"enum","name":"E","symbols":["B"]}}]})"),
            errc::schema_duplicate_name);
  EXPECT_EQ(parse_reason(R"({"type":"fixed","name":"int","size":1})"), errc::schema_duplicate_name);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]})"),
            errc::schema_duplicate_field);
  EXPECT_EQ(parse_reason(R"({"type":"enum","name":"E","symbols":["A","A"]})"), errc::schema_duplicate_symbol);
  EXPECT_EQ(parse_reason(R"({"type":"enum","name":"E","symbols":["1A"]})"), errc::schema_invalid_name);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"9R","fields":[]})"), errc::schema_invalid_name);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","namespace":"a..b","fields":[]})"), errc::schema_invalid_name);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]})"),
            errc::schema_invalid_name);
  EXPECT_EQ(parse_reason(R"(["int","int"])"), errc::schema_bad_union);
  EXPECT_EQ(parse_reason(R"(["int",["null","string"]])"), errc::schema_bad_union);
  EXPECT_EQ(parse_reason(R"([])"), errc::schema_bad_union);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R"})"), errc::schema_missing_attribute);
  EXPECT_EQ(parse_reason(R"({"type":"fixed","name":"F"})"), errc::schema_missing_attribute);
  EXPECT_EQ(parse_reason(R"({"type":"array"})"), errc::schema_missing_attribute);
  EXPECT_EQ(parse_reason(R"({"type":"fixed","name":"F","size":-1})"), errc::schema_bad_attribute);
  EXPECT_EQ(parse_reason(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]})"),
            errc::schema_bad_attribute);
  EXPECT_EQ(parse_reason(R"({"name":"R"})"), errc::schema_missing_attribute);

  auto s = schema::parse(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"Nope"}]})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.err().message.find("/fields/1/type"), std::string::npos) << s.err().message;
  EXPECT_NE(s.err().message.find("Nope"), std::string::npos);
  EXPECT_EQ(s.err().domain, error_domain::decode);
}

TEST(avro_schema, defaults_are_checked_against_their_types) {
  auto bad = [](const std::string& type, const std::string& dflt) {
    return parse_reason(R"({"type":"record","name":"R","fields":[{"name":"f","type":)" + type + R"(,"default":)" + dflt +
                        "}]}");
  };
  EXPECT_EQ(bad(R"("int")", R"("x")"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"("int")", "3000000000"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"("int")", "1.5"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"("string")", "null"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"(["null","string"])", R"("x")"), errc::schema_bad_default); // first branch rules
  EXPECT_EQ(bad(R"(["string","null"])", "null"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"({"type":"fixed","name":"F","size":2})", R"("abc")"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"({"type":"enum","name":"E","symbols":["A"]})", R"("B")"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"({"type":"array","items":"int"})", R"([1,"x"])"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"({"type":"record","name":"S","fields":[{"name":"x","type":"int"}]})", "{}"), errc::schema_bad_default);
  EXPECT_EQ(bad(R"("bytes")", R"("\u0100")"), errc::schema_bad_default);

  auto good = [](const std::string& type, const std::string& dflt) {
    return schema::parse(R"({"type":"record","name":"R","fields":[{"name":"f","type":)" + type + R"(,"default":)" +
                         dflt + "}]}");
  };
  for (auto [t, d] : std::vector<std::pair<std::string, std::string>>{
           {R"("int")", "-7"}, {R"("long")", "9007199254740993"}, {R"("float")", "1"}, {R"("double")", "2.5"},
           {R"("bytes")", R"("\u00ff\u0000")"}, {R"("boolean")", "true"}, {R"(["string","null"])", R"("x")"},
           {R"({"type":"map","values":"long"})", R"({"a":1})"},
           {R"({"type":"record","name":"S","fields":[{"name":"x","type":"int","default":4},{"name":"y","type":"string"}]})",
            R"({"y":"z"})"}}) {
    auto s = good(t, d);
    EXPECT_TRUE(s.ok()) << t << " default " << d << ": " << (s.ok() ? "" : s.err().message);
  }
  auto s = *good(R"({"type":"record","name":"S","fields":[{"name":"x","type":"int","default":4},{"name":"y","type":"string"}]})",
                 R"({"y":"z"})");
  EXPECT_EQ(test::hex(s.root().fields[0].default_binary), "08027a"); // x = 4, y = "z"
}

TEST(avro_schema, canonical_form_and_fingerprint) {
  // Expected values from the spec's rules; the fingerprints of "int" and "string" are the
  // well-known CRC-64-AVRO values.
  EXPECT_EQ(crc64_avro("\"int\""), 0x7275d51a3f395c8fULL);
  EXPECT_EQ(must_parse("\"string\"").fingerprint(), 0x8f014872634503c7ULL);
  auto s = must_parse(R"({"namespace":"a.b","type":"record","name":"R","doc":"x","fields":[
    {"type":{"symbols":["X","Y"],"type":"enum","name":"E","default":"X"},"name":"e","doc":"d"},
    {"name":"e2","type":"E","default":"Y"},
    {"name":"f","type":{"type":"fixed","name":"c.F","size":4}},
    {"name":"m","type":{"type":"map","values":{"type":"array","items":"c.F"}}},
    {"name":"u","type":["null",{"type":"record","name":"Inner","fields":[{"name":"x","type":{"type":"int"},"default":1}]}],"default":null}]})");
  EXPECT_EQ(s.canonical_form(),
            R"({"name":"a.b.R","type":"record","fields":[{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["X","Y"]}},)"
            R"({"name":"e2","type":"a.b.E"},{"name":"f","type":{"name":"c.F","type":"fixed","size":4}},)"
            R"({"name":"m","type":{"type":"map","values":{"type":"array","items":"c.F"}}},)"
            R"({"name":"u","type":["null",{"name":"a.b.Inner","type":"record","fields":[{"name":"x","type":"int"}]}]}]})");
  EXPECT_EQ(s.fingerprint(), crc64_avro(s.canonical_form()));
  // Same schema, different spelling: same identity.
  auto t = must_parse(R"({"type":"record","name":"a.b.R","fields":[
    {"name":"e","type":{"type":"enum","name":"a.b.E","symbols":["X","Y"]}},
    {"name":"e2","type":"a.b.E"},
    {"name":"f","type":{"type":"fixed","name":"F","namespace":"c","size":4}},
    {"name":"m","type":{"type":"map","values":{"type":"array","items":"c.F"}}},
    {"name":"u","type":["null",{"type":"record","name":"Inner","fields":[{"name":"x","type":"int"}]}]}]})");
  EXPECT_EQ(s.fingerprint(), t.fingerprint());
}

} // namespace
} // namespace freshet::avro
