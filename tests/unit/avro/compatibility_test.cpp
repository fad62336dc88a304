#include <gtest/gtest.h>

#include "common/avro/compatibility.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using test::example_schema;
using test::must_parse;

std::vector<incompatibility> can_read(const std::string& reader, const std::string& writer) {
  return check_can_read(must_parse(reader), must_parse(writer));
}

std::string rec(const std::string& fields, const std::string& name = "R") {
  return R"({"type":"record","name":")" + name + R"(","fields":[)" + fields + "]}";
}

TEST(avro_compatibility, primitives_and_promotions) {
  EXPECT_TRUE(can_read(R"("long")", R"("int")").empty());
  EXPECT_TRUE(can_read(R"("double")", R"("float")").empty());
  EXPECT_TRUE(can_read(R"("string")", R"("bytes")").empty());
  auto v = can_read(R"("int")", R"("long")");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].type, incompatibility_type::type_mismatch);
  EXPECT_EQ(v[0].path, "/");
  EXPECT_NE(v[0].message.find("reader type int cannot read writer type long"), std::string::npos);
}

TEST(avro_compatibility, record_rules_with_paths) {
  auto v = can_read(rec(R"({"name":"a","type":"int"},{"name":"b","type":"string"})"),
                    rec(R"({"name":"a","type":"long"})"));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].type, incompatibility_type::type_mismatch);
  EXPECT_EQ(v[0].path, "/fields/0/type");
  EXPECT_EQ(v[1].type, incompatibility_type::reader_field_missing_default_value);
  EXPECT_EQ(v[1].path, "/fields/1");
  EXPECT_NE(v[1].message.find("'b'"), std::string::npos);
  EXPECT_TRUE(can_read(rec(R"({"name":"b","type":"string","default":""})"), rec(R"({"name":"a","type":"long"})")).empty());
  EXPECT_TRUE(can_read(rec(R"({"name":"b","type":"long","aliases":["a"]})"), rec(R"({"name":"a","type":"int"})")).empty());
  auto n = can_read(rec("", "A"), rec("", "B"));
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].type, incompatibility_type::name_mismatch);
  EXPECT_EQ(n[0].path, "/name");
}

TEST(avro_compatibility, enums_fixed_unions) {
  const std::string e3 = R"({"type":"enum","name":"E","symbols":["A","B","C"]})";
  const std::string e2 = R"({"type":"enum","name":"E","symbols":["A","B"]})";
  const std::string e2d = R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})";
  EXPECT_TRUE(can_read(e3, e2).empty());
  auto v = can_read(e2, e3);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].type, incompatibility_type::missing_enum_symbols);
  EXPECT_EQ(v[0].path, "/symbols");
  EXPECT_TRUE(can_read(e2d, e3).empty());

  auto f = can_read(R"({"type":"fixed","name":"F","size":4})", R"({"type":"fixed","name":"F","size":8})");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].type, incompatibility_type::fixed_size_mismatch);

  EXPECT_TRUE(can_read(R"(["null","string"])", R"("string")").empty());
  EXPECT_TRUE(can_read(R"(["null","long"])", R"(["null","int"])").empty());
  auto u = can_read(R"(["null","string"])", R"(["null","string","int"])");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].type, incompatibility_type::missing_union_branch);
  EXPECT_EQ(u[0].path, "/2");
  auto u2 = can_read(R"("string")", R"(["null","string"])");
  ASSERT_EQ(u2.size(), 1u);
  EXPECT_EQ(u2[0].type, incompatibility_type::type_mismatch);
  auto u3 = can_read(R"(["null","int"])", R"("string")");
  ASSERT_EQ(u3.size(), 1u);
  EXPECT_EQ(u3[0].type, incompatibility_type::missing_union_branch);
}

TEST(avro_compatibility, recursive_schemas_terminate) {
  const std::string list = R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"n","type":["null","L"]}]})";
  const std::string list2 = R"({"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"n","type":["null","L"]}]})";
  EXPECT_TRUE(can_read(list2, list).empty());
  EXPECT_FALSE(can_read(list, list2).empty());
}

TEST(avro_compatibility, levels) {
  auto v1 = must_parse(rec(R"({"name":"a","type":"int"})"));
  auto v2 = must_parse(rec(R"({"name":"a","type":"int"},{"name":"b","type":"string","default":"x"})"));
  auto v3_add_required = must_parse(rec(R"({"name":"a","type":"int"},{"name":"c","type":"string"})"));
  auto v3_drop_a = must_parse(rec(R"({"name":"b","type":"string","default":"x"})"));
  auto v3_promote = must_parse(rec(R"({"name":"a","type":"long"},{"name":"b","type":"string","default":"x"})"));
  std::vector<schema> hist{v1, v2};

  auto ok = [&](compat_level l, const schema& c) { return check_compatibility(l, c, hist).compatible; };
  EXPECT_TRUE(ok(compat_level::none, v3_add_required));
  EXPECT_FALSE(ok(compat_level::backward, v3_add_required));
  EXPECT_TRUE(ok(compat_level::forward, v3_add_required));
  EXPECT_FALSE(ok(compat_level::full, v3_add_required));

  // Dropping a field without a default: new readers are fine, old readers break.
  EXPECT_TRUE(ok(compat_level::backward, v3_drop_a));
  EXPECT_FALSE(ok(compat_level::forward, v3_drop_a));
  // Against v1, the dropped field a is fine for backward too, but v1 readers still need a.
  EXPECT_TRUE(ok(compat_level::backward_transitive, v3_drop_a));

  // Promotion int -> long: backward only.
  EXPECT_TRUE(ok(compat_level::backward, v3_promote));
  EXPECT_FALSE(ok(compat_level::forward, v3_promote));

  // Transitive levels see older versions: v1 -> v2 -> v3 where v3 needs "b" (no default) that v1 lacks.
  auto v3_b_required = must_parse(rec(R"({"name":"a","type":"int"},{"name":"b","type":"string"})"));
  EXPECT_TRUE(ok(compat_level::backward, v3_b_required));
  EXPECT_FALSE(ok(compat_level::backward_transitive, v3_b_required));
  auto rep = check_compatibility(compat_level::backward_transitive, v3_b_required, hist);
  ASSERT_EQ(rep.issues.size(), 1u);
  EXPECT_EQ(rep.issues[0].version_index, 0u);
  EXPECT_TRUE(rep.issues[0].candidate_is_reader);
  EXPECT_EQ(rep.issues[0].describe(),
            "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 (new schema reading data of version #1): reader field 'b' "
            "of R has no default value and is missing in the writer schema");
  // FULL_TRANSITIVE checks both ways against both.
  EXPECT_TRUE(ok(compat_level::full_transitive, v2));
  EXPECT_FALSE(ok(compat_level::forward_transitive, v3_drop_a));
  EXPECT_TRUE(check_compatibility(compat_level::full, v1, {}).compatible);
}

TEST(avro_compatibility, level_names) {
  EXPECT_EQ(parse_compat_level("full_transitive"), compat_level::full_transitive);
  EXPECT_EQ(parse_compat_level("BACKWARD"), compat_level::backward);
  EXPECT_FALSE(parse_compat_level("SIDEWAYS").has_value());
  EXPECT_STREQ(to_string(compat_level::forward_transitive), "FORWARD_TRANSITIVE");
}

TEST(avro_compatibility, clickstream_evolution) {
  auto pv = must_parse(example_schema("page_view"));
  auto pv2 = must_parse(R"({"type":"record","name":"PageView","namespace":"freshet.examples.clickstream","fields":[
    {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"url","type":"string"},{"name":"referrer","type":["null","string"],"default":null},
    {"name":"session_id","type":["null","string"],"default":null}]})");
  std::vector<schema> hist{pv};
  EXPECT_TRUE(check_compatibility(compat_level::full_transitive, pv2, hist).compatible);
}

} // namespace
} // namespace freshet::avro
