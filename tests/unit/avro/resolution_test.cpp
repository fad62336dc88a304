#include <gtest/gtest.h>

#include "common/avro/decoder.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/json_encoder.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using test::must_parse;

// Encodes `json` with `writer`, decodes with `reader`, returns bare-union JSON (or the error reason).
std::string resolve(const std::string& writer, const std::string& reader, const std::string& json,
                    errc* reason = nullptr) {
  auto w = must_parse(writer);
  auto r = must_parse(reader);
  json_encoder enc{w};
  std::string bytes;
  auto st = enc.encode(json, bytes);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.err().message);
  auto d = decoder::resolving(w, r);
  if (!d.ok()) {
    if (reason)
      *reason = reason_of(d.err());
    return "<" + std::string{to_string(reason_of(d.err()))} + ">";
  }
  auto out = d->decode_json(bytes, union_style::bare);
  if (!out.ok()) {
    if (reason)
      *reason = reason_of(out.err());
    return "<" + std::string{to_string(reason_of(out.err()))} + ">";
  }
  return *out;
}

TEST(avro_resolution, numeric_and_text_promotions) {
  EXPECT_EQ(resolve(R"("int")", R"("long")", "-5"), "-5");
  EXPECT_EQ(resolve(R"("int")", R"("float")", "3"), "3.0");
  EXPECT_EQ(resolve(R"("int")", R"("double")", "2147483647"), "2147483647.0");
  EXPECT_EQ(resolve(R"("long")", R"("float")", "16777217"), "16777216.0");
  EXPECT_EQ(resolve(R"("long")", R"("double")", "-9007199254740993"), "-9007199254740992.0");
  EXPECT_EQ(resolve(R"("float")", R"("double")", "0.5"), "0.5");
  EXPECT_EQ(resolve(R"("string")", R"("bytes")", R"("ab")"), R"("ab")");
  EXPECT_EQ(resolve(R"("bytes")", R"("string")", R"("ab")"), R"("ab")");
  EXPECT_EQ(resolve(R"("long")", R"("int")", "1"), "<incompatible_schemas>");
  EXPECT_EQ(resolve(R"("double")", R"("float")", "1"), "<incompatible_schemas>");
  EXPECT_EQ(resolve(R"("string")", R"("int")", R"("1")"), "<incompatible_schemas>");
}

TEST(avro_resolution, record_fields_by_name_alias_default_and_skip) {
  const std::string writer = R"({"type":"record","name":"R","fields":[
    {"name":"a","type":"int"},{"name":"gone","type":{"type":"array","items":{"type":"map","values":"string"}}},
    {"name":"old_b","type":"string"},{"name":"c","type":["null","int"]}]})";
  const std::string reader = R"({"type":"record","name":"R","fields":[
    {"name":"c","type":["null","long"]},{"name":"b","type":"string","aliases":["old_b"]},
    {"name":"a","type":"double"},{"name":"added","type":"string","default":"dflt"},
    {"name":"nested","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int","default":3}]},"default":{}}]})";
  EXPECT_EQ(resolve(writer, reader, R"({"a":1,"gone":[{"k":"v"},{}],"old_b":"B","c":7})"),
            R"({"c":7,"b":"B","a":1.0,"added":"dflt","nested":{"x":3}})");
  const std::string strict_reader = R"({"type":"record","name":"R","fields":[{"name":"needed","type":"int"}]})";
  EXPECT_EQ(resolve(writer, strict_reader, R"({"a":1,"gone":[],"old_b":"B","c":null})"), "<incompatible_schemas>");
}

TEST(avro_resolution, named_types_match_by_unqualified_name_or_alias) {
  EXPECT_EQ(resolve(R"({"type":"record","name":"a.R","fields":[{"name":"x","type":"int"}]})",
                    R"({"type":"record","name":"b.R","fields":[{"name":"x","type":"int"}]})", R"({"x":1})"),
            R"({"x":1})");
  EXPECT_EQ(resolve(R"({"type":"record","name":"a.Old","fields":[{"name":"x","type":"int"}]})",
                    R"({"type":"record","name":"b.New","aliases":["a.Old"],"fields":[{"name":"x","type":"int"}]})",
                    R"({"x":1})"),
            R"({"x":1})");
  EXPECT_EQ(resolve(R"({"type":"record","name":"Old","fields":[]})", R"({"type":"record","name":"New","fields":[]})", "{}"),
            "<incompatible_schemas>");
  EXPECT_EQ(resolve(R"({"type":"fixed","name":"F","size":2})", R"({"type":"fixed","name":"F","size":3})", R"("ab")"),
            "<incompatible_schemas>");
  EXPECT_EQ(resolve(R"({"type":"fixed","name":"F","size":2})", R"({"type":"fixed","name":"G","aliases":["F"],"size":2})",
                    R"("ab")"),
            R"("ab")");
}

TEST(avro_resolution, enums_with_and_without_reader_default) {
  const std::string w = R"({"type":"enum","name":"E","symbols":["A","B","C"]})";
  EXPECT_EQ(resolve(w, R"({"type":"enum","name":"E","symbols":["C","B","A"]})", R"("A")"), R"("A")");
  EXPECT_EQ(resolve(w, R"({"type":"enum","name":"E","symbols":["A","Z"],"default":"Z"})", R"("C")"), R"("Z")");
  EXPECT_EQ(resolve(w, R"({"type":"enum","name":"E","symbols":["A","Z"],"default":"Z"})", R"("A")"), R"("A")");
  // No default: only data using the missing symbol fails.
  EXPECT_EQ(resolve(w, R"({"type":"enum","name":"E","symbols":["A"]})", R"("A")"), R"("A")");
  EXPECT_EQ(resolve(w, R"({"type":"enum","name":"E","symbols":["A"]})", R"("B")"), "<unresolvable>");
}

TEST(avro_resolution, unions_on_either_side) {
  // Writer union, reader not: the branch's data must resolve to the reader type.
  EXPECT_EQ(resolve(R"(["int","string"])", R"("long")", "4"), "4");
  EXPECT_EQ(resolve(R"(["int","string"])", R"("long")", R"("x")"), "<unresolvable>");
  EXPECT_EQ(resolve(R"(["null","string"])", R"("long")", "null"), "<incompatible_schemas>");
  // Reader union, writer not: the first matching branch, preferring the same type.
  EXPECT_EQ(resolve(R"("int")", R"(["null","long","int"])", "4"), "4");
  auto w = must_parse(R"("int")");
  auto r = must_parse(R"(["null","long","int"])");
  json_encoder enc{w};
  std::string bytes;
  ASSERT_TRUE(enc.encode("4", bytes).ok());
  auto v = decoder::resolving(w, r)->decode(bytes);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->integer, 2); // the int branch, not the long one
  EXPECT_EQ(resolve(R"("int")", R"(["null","double"])", "4"), "4.0");
  EXPECT_EQ(resolve(R"("string")", R"(["null","int"])", R"("x")"), "<incompatible_schemas>");
  // Both unions: by branch.
  EXPECT_EQ(resolve(R"(["null","int","string"])", R"(["string","null","long"])", "3"), "3");
  EXPECT_EQ(resolve(R"(["null","int","string"])", R"(["string","null","long"])", "null"), "null");
  EXPECT_EQ(resolve(R"(["null","int","boolean"])", R"(["null","long"])", "true"), "<unresolvable>");
}

TEST(avro_resolution, nested_and_recursive) {
  const std::string w = R"({"type":"record","name":"Node","fields":[{"name":"v","type":"int"},
    {"name":"kids","type":{"type":"array","items":"Node"}}]})";
  const std::string r = R"({"type":"record","name":"Node","fields":[{"name":"kids","type":{"type":"array","items":"Node"}},
    {"name":"v","type":"long"},{"name":"tag","type":["null","string"],"default":null}]})";
  EXPECT_EQ(resolve(w, r, R"({"v":1,"kids":[{"v":2,"kids":[]},{"v":3,"kids":[{"v":4,"kids":[]}]}]})"),
            R"({"kids":[{"kids":[],"v":2,"tag":null},{"kids":[{"kids":[],"v":4,"tag":null}],"v":3,"tag":null}],"v":1,"tag":null})");
}

TEST(avro_resolution, maps_and_arrays_resolve_their_items) {
  EXPECT_EQ(resolve(R"({"type":"map","values":"int"})", R"({"type":"map","values":"double"})", R"({"a":1})"),
            R"({"a":1.0})");
  EXPECT_EQ(resolve(R"({"type":"array","items":"int"})", R"({"type":"array","items":"string"})", "[1]"),
            "<incompatible_schemas>");
  EXPECT_EQ(resolve(R"({"type":"array","items":"int"})", R"({"type":"map","values":"int"})", "[1]"),
            "<incompatible_schemas>");
}

} // namespace
} // namespace freshet::avro
