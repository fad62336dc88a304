// Deriving the enriched Avro schema of a stream from its .avsc and the spec's derived fields, with
// compatibility judged by freshet::avro (the registry's own checker).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/avro/compatibility.hpp"
#include "common/avro/schema.hpp"
#include "services/enrich/enriched_schema.hpp"
#include "tests/unit/enrich/spec_fixture.hpp"

namespace freshet::enrich {
namespace {

using json = nlohmann::json;
using testing::example_dir;

result<std::string> read_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return make_error(error_domain::io, 1, "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string base_schema(const std::string& stream) {
  auto text = read_file(example_dir + "/schemas/" + stream + ".avsc");
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : "";
}

std::string derive(const config::enrichment_spec& spec, const std::string& stream) {
  auto outputs = outputs_for_stream(spec, stream, read_file);
  EXPECT_TRUE(outputs.ok()) << (outputs.ok() ? "" : outputs.err().describe());
  if (!outputs.ok())
    return "";
  auto schema = derive_enriched_schema(base_schema(stream), *outputs);
  EXPECT_TRUE(schema.ok()) << (schema.ok() ? "" : schema.err().describe());
  return schema.ok() ? *schema : "";
}

const json* field(const json& record, const std::string& name) {
  for (const auto& f : record["fields"])
    if (f["name"] == name)
      return &f;
  return nullptr;
}

avro::schema parsed(const std::string& text) {
  auto s = avro::schema::parse(text);
  EXPECT_TRUE(s.ok()) << text << "\n" << (s.ok() ? "" : s.err().describe());
  return s.ok() ? *s : *avro::schema::parse(R"("null")");
}

/// True when `reader` can read data written with `writer` (the registry's BACKWARD check).
bool backward(const std::string& reader, const std::string& writer) {
  std::vector<avro::schema> existing{parsed(writer)};
  auto report = avro::check_compatibility(avro::compat_level::backward, parsed(reader), existing);
  for (const auto& i : report.issues)
    ADD_FAILURE() << "incompatibility: " << i.describe();
  return report.compatible;
}

config::enrichment_spec example_spec() {
  auto pipeline = config::load_pipeline_spec(example_dir + "/pipeline.yaml");
  EXPECT_TRUE(pipeline.ok());
  auto spec = config::load_enrichment_spec(*pipeline);
  EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : spec.err().describe());
  return spec.ok() ? *spec : config::enrichment_spec{};
}

TEST(enriched_schema, the_example_page_view_gains_nullable_derived_fields) {
  auto text = derive(example_spec(), "page_view");
  auto doc = json::parse(text);
  auto base = json::parse(base_schema("page_view"));
  EXPECT_EQ(doc["name"], base["name"]) << "the same record evolves";
  EXPECT_EQ(doc["namespace"], base["namespace"]);
  for (const auto& f : base["fields"])
    EXPECT_EQ(*field(doc, f["name"]), f) << "base fields are untouched";

  const auto* user = field(doc, "user");
  ASSERT_NE(user, nullptr) << text;
  EXPECT_TRUE((*user)["default"].is_null());
  ASSERT_EQ((*user)["type"][0], "null");
  const auto& user_rec = (*user)["type"][1];
  EXPECT_EQ(user_rec["type"], "record");
  EXPECT_EQ(user_rec["name"], "PageView_user");
  EXPECT_EQ(*field(user_rec, "country"), json::parse(
    R"({"name":"country","type":["null","string"],"default":null,"doc":"users.country by user_id"})"));
  // The table's schema declares segment an enum: joined as a string, so defaults need not be symbols.
  EXPECT_EQ((*field(user_rec, "segment"))["type"], json::parse(R"(["null","string"])"));

  EXPECT_EQ((*field(doc, "device_class"))["type"], json::parse(R"(["null","string"])"));
  EXPECT_NE(field(doc, "geo"), nullptr);
  EXPECT_NE(field(doc, "customer_tier"), nullptr);
  EXPECT_EQ(field(doc, "amount_usd"), nullptr) << "amount_usd is derived for purchases only";

  EXPECT_TRUE(backward(text, base_schema("page_view"))) << "the enriched schema reads un-enriched events";
}

TEST(enriched_schema, the_example_purchase_gets_a_double_amount_in_usd) {
  auto doc = json::parse(derive(example_spec(), "purchase"));
  EXPECT_EQ((*field(doc, "amount_usd"))["type"], json::parse(R"(["null","double"])"));
  EXPECT_EQ(field(doc, "device_class"), nullptr);
  EXPECT_TRUE(backward(doc.dump(), base_schema("purchase")));
}

TEST(enriched_schema, adding_and_removing_derived_fields_are_backward_compatible_evolutions) {
  auto v1 = derive(testing::parse_ok(R"(
  tables: [{name: users, key: user_id}]
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country]}}
)"),
                   "page_view");
  auto v2 = derive(testing::parse_ok(R"(
  tables: [{name: users, key: user_id}]
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country, segment]}}
    - {name: device_class, device_class: {user_agent: user_agent}}
)"),
                   "page_view");
  auto v3 = derive(testing::parse_ok(R"(
  fields:
    - {name: device_class, device_class: {user_agent: user_agent}}
)"),
                   "page_view");
  EXPECT_TRUE(backward(v2, v1));
  EXPECT_TRUE(backward(v3, v2));
  EXPECT_TRUE(backward(v1, v3));
}

TEST(enriched_schema, changing_a_derived_fields_type_is_what_the_registry_refuses) {
  auto as_double = derive(testing::parse_ok(R"(
  fields: [{name: total, expression: "amount * 2", streams: [purchase]}]
)"),
                          "purchase");
  auto as_string = derive(testing::parse_ok(R"(
  fields: [{name: total, expression: "amount * 2", type: string, streams: [purchase]}]
)"),
                          "purchase");
  std::vector<avro::schema> existing{parsed(as_double)};
  EXPECT_FALSE(avro::check_compatibility(avro::compat_level::backward, parsed(as_string), existing).compatible);
}

TEST(enriched_schema, dotted_paths_nest_records_and_share_prefixes) {
  auto doc = json::parse(derive(testing::parse_ok(R"(
  fields:
    - {name: a.b.c, expression: "1", type: long}
    - {name: a.d, device_class: {user_agent: user_agent}}
)"),
                                "page_view"));
  const auto& a = (*field(doc, "a"))["type"][1];
  EXPECT_EQ(a["name"], "PageView_a");
  const auto& b = (*field(a, "b"))["type"][1];
  EXPECT_EQ(b["name"], "PageView_a_b");
  EXPECT_EQ((*field(b, "c"))["type"], json::parse(R"(["null","long"])"));
  EXPECT_NE(field(a, "d"), nullptr);
  parsed(doc.dump());
}

TEST(enriched_schema, a_derived_field_may_not_shadow_a_stream_field) {
  auto spec = testing::parse_ok(R"(
  fields: [{name: url.host, expression: "1"}]
)");
  auto outputs = outputs_for_stream(spec, "page_view", read_file);
  ASSERT_TRUE(outputs.ok());
  auto schema = derive_enriched_schema(base_schema("page_view"), *outputs);
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.err().message.find("'url'"), std::string::npos) << schema.err().message;
}

TEST(enriched_schema, column_types_come_from_the_tables_schema) {
  auto dir = ::testing::TempDir() + "enriched_schema_types";
  std::filesystem::create_directories(dir);
  std::ofstream{dir + "/t.avsc"} << R"({"type":"record","name":"T","fields":[
      {"name":"k","type":"string"},
      {"name":"n","type":["null","long"]},
      {"name":"when","type":{"type":"long","logicalType":"timestamp-millis"}},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"addr","type":{"type":"record","name":"Addr","fields":[{"name":"city","type":"string"}]}}]})";
  auto pipeline = testing::test_pipeline();
  auto spec = config::parse_enrichment_spec(testing::pipeline_yaml(R"(
  tables: [{name: t, key: k, schema: )" + dir + R"(/t.avsc}]
  fields:
    - {name: x, lookup: {table: t, key: user_id, fields: [n, when, tags, addr.city, absent]}}
    - {name: y, lookup: {table: t, key: user_id, field: n}, type: string}
)"),
                                            pipeline);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  auto outputs = outputs_for_stream(*spec, "page_view", read_file);
  ASSERT_TRUE(outputs.ok()) << outputs.err().describe();
  ASSERT_EQ(outputs->size(), 6u);
  EXPECT_EQ((*outputs)[0].avro_type, R"("long")");
  EXPECT_EQ((*outputs)[1].avro_type, R"({"logicalType":"timestamp-millis","type":"long"})");
  EXPECT_EQ((*outputs)[2].avro_type, R"("string")") << "arrays are kept as JSON text";
  EXPECT_EQ((*outputs)[3].avro_type, R"("string")");
  EXPECT_EQ((*outputs)[4].avro_type, R"("string")") << "unknown columns default to string";
  EXPECT_EQ((*outputs)[5].avro_type, R"("string")") << "type: overrides the table's schema";
  auto schema = derive_enriched_schema(base_schema("page_view"), *outputs);
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(backward(*schema, base_schema("page_view")));

  auto whole_record = config::parse_enrichment_spec(testing::pipeline_yaml(R"(
  tables: [{name: t, key: k, schema: )" + dir + R"(/t.avsc}]
  fields: [{name: x, lookup: {table: t, key: user_id, field: addr}}]
)"),
                                                    pipeline);
  ASSERT_TRUE(whole_record.ok());
  auto bad = outputs_for_stream(*whole_record, "page_view", read_file);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.err().message.find("is a record"), std::string::npos);
}

TEST(enriched_schema, the_subject_follows_the_confluent_naming) {
  EXPECT_EQ(enriched_subject("page_view"), "page_view-enriched-value");
}

} // namespace
} // namespace freshet::enrich
