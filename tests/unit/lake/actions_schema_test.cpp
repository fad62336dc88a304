// The log's actions and their JSON, and the Avro -> Delta -> Parquet schema mapping.
#include <fstream>
#include <limits>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/lake/actions.hpp"
#include "common/lake/avro_mapping.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/lake/errc.hpp"
#include "common/parquet/schema.hpp"

namespace {

using namespace freshet::lake;
using k = data_type::kind;

std::string read_text(const std::string& path) {
  std::ifstream f{path};
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<action> every_action() {
  metadata_action m;
  m.id = "af23c9d7-fff1-4a5a-a2c8-55c59bd782aa";
  m.name = "page_view";
  m.schema_string = to_schema_string({column("a", primitive(k::long_))});
  m.partition_columns = {"date"};
  m.created_time = 1700000000000;
  m.configuration = {{"delta.checkpointInterval", "10"}};
  add_action a;
  a.path = "date=2024-05-01/part-00000-x-c000.zstd.parquet";
  a.partition = {{"date", "2024-05-01"}, {"region", std::nullopt}};
  a.size = 841454;
  a.modification_time = 1512909768000;
  a.stats = R"({"numRecords":1})";
  a.tags = {{"k", "v"}};
  remove_action r;
  r.path = "part-1.parquet";
  r.deletion_timestamp = 1515488792485;
  r.data_change = false;
  r.extended_file_metadata = true;
  r.partition = partition_values{{"date", "2024-05-02"}};
  r.size = 5;
  return {protocol_action{}, m, a, r, txn_action{"freshet-lake-sink-events.enriched-3", 364475, 1700000000001}};
}

TEST(actions, every_kind_round_trips_through_its_json_line) {
  for (const auto& a : every_action()) {
    auto line = to_json_line(a);
    auto back = parse_action(line);
    ASSERT_TRUE(back.ok()) << back.err().describe();
    ASSERT_TRUE(back->has_value()) << line;
    EXPECT_EQ(**back, a) << line;
  }
}

TEST(actions, json_uses_the_protocol_field_names) {
  EXPECT_EQ(to_json_line(protocol_action{}), R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})");
  EXPECT_EQ(to_json_line(txn_action{"app", 7, std::nullopt}), R"({"txn":{"appId":"app","version":7}})");
  auto add = nlohmann::json::parse(to_json_line(every_action()[2]))["add"];
  for (const char* key : {"path", "partitionValues", "size", "modificationTime", "dataChange", "stats", "tags"})
    EXPECT_TRUE(add.contains(key)) << key;
  EXPECT_TRUE(add["partitionValues"]["region"].is_null());
  EXPECT_TRUE(add["stats"].is_string()) << "stats is a JSON string inside the action";
}

TEST(actions, a_commit_puts_commit_info_first_and_parses_back) {
  auto actions = every_action();
  commit_info info;
  info.timestamp = 1700000000002;
  info.operation = "STREAMING UPDATE";
  info.operation_parameters = {{"mode", "Append"}};
  actions.push_back(info);
  auto text = serialize_commit(actions);
  EXPECT_TRUE(text.starts_with("{\"commitInfo\""));
  auto back = parse_commit(text);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), actions.size());
  const auto& ci = std::get<commit_info>((*back)[0]);
  EXPECT_EQ(ci.timestamp, 1700000000002);
  EXPECT_EQ(ci.operation, "STREAMING UPDATE");
  EXPECT_EQ(ci.operation_parameters.at("mode"), "Append");
  for (size_t i = 0; i + 1 < actions.size(); ++i)
    EXPECT_EQ((*back)[i + 1], actions[i]);
}

TEST(actions, unknown_action_kinds_and_fields_are_ignored) {
  auto back = parse_commit(R"({"cdc":{"path":"x","partitionValues":{},"size":1,"dataChange":false}}
{"domainMetadata":{"domain":"d","configuration":"{}","removed":false}}
{"txn":{"appId":"a","version":1,"someFutureField":[1,2]}}
)");
  ASSERT_TRUE(back.ok()) << back.err().describe();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ(std::get<txn_action>((*back)[0]).version, 1);
}

TEST(actions, malformed_lines_are_errors_not_crashes) {
  for (const char* bad : {"not json", "[1,2]", R"({"add":{"size":1}})", R"({"txn":{"appId":"a"}})",
                          R"({"metaData":{"id":"x"}})", R"({"add":"text"})", R"({"add":{"path":"p","size":"big"}})"}) {
    auto r = parse_action(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(is(r.err(), errc::malformed_log)) << r.err().describe();
  }
}

// Numbers that do not fit the field (found by fuzzing: a float past int64 was converted, undefined
// behaviour) are malformed; integral floats, as some writers put them, are read.
TEST(actions, numbers_that_do_not_fit_are_malformed_and_integral_floats_are_read) {
  for (const char* bad : {R"({"add":{"path":"p","size":1.79e119,"modificationTime":0,"dataChange":true}})",
                          R"({"add":{"path":"p","size":18446744073709551615,"modificationTime":0,"dataChange":true}})",
                          R"({"add":{"path":"p","size":9223372036854775808.0,"modificationTime":0,"dataChange":true}})",
                          R"({"add":{"path":"p","size":1.5,"modificationTime":0,"dataChange":true}})",
                          R"({"protocol":{"minReaderVersion":4294967297,"minWriterVersion":2}})",
                          R"({"txn":{"appId":"a","version":-1e30}})"}) {
    auto r = parse_action(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(is(r.err(), errc::malformed_log)) << r.err().describe();
  }
  auto r = parse_action(R"({"add":{"path":"p","size":1024.0,"modificationTime":-9223372036854775808,"dataChange":true}})");
  ASSERT_TRUE(r.ok()) << r.err().describe();
  const auto& add = std::get<add_action>(**r);
  EXPECT_EQ(add.size, 1024);
  EXPECT_EQ(add.modification_time, std::numeric_limits<int64_t>::min());
}

// commitInfo is free-form: what another writer filled differently is left out, the commit still reads.
TEST(actions, commit_info_fields_of_other_shapes_are_left_out_not_errors) {
  auto r = parse_action(R"({"commitInfo":{"timestamp":1.79e119,"operation":7,"readVersion":"3",)"
                        R"("isBlindAppend":"yes","engineInfo":["x"],"operationParameters":[1,2],"operationMetrics":{"n":5}}})");
  ASSERT_TRUE(r.ok()) << r.err().describe();
  const auto& c = std::get<commit_info>(**r);
  EXPECT_EQ(c.timestamp, 0);
  EXPECT_EQ(c.operation, "");
  EXPECT_FALSE(c.read_version.has_value());
  EXPECT_FALSE(c.is_blind_append.has_value());
  EXPECT_TRUE(c.operation_parameters.empty());
  EXPECT_EQ(c.operation_metrics.at("n"), "5");
}

TEST(actions, paths_are_uri_encoded_and_decoded) {
  const std::string p = "date=2024-05-01/city=São Paulo%x/part 1.parquet";
  auto enc = encode_path(p);
  EXPECT_EQ(enc.find(' '), std::string::npos);
  EXPECT_NE(enc.find("%20"), std::string::npos);
  EXPECT_NE(enc.find("date=2024-05-01/"), std::string::npos);
  EXPECT_EQ(decode_path(enc), p);
}

TEST(delta_schema, schema_string_follows_the_protocol_example_and_round_trips) {
  table_schema s{
    column("a", primitive(k::integer), false),
    column("b", struct_of({column("d", primitive(k::integer), false)})),
    column("c", array_of(primitive(k::integer), false)),
    column("e", array_of(struct_of({column("d", primitive(k::integer), false)}), true)),
    column("f", map_of(primitive(k::string), primitive(k::string), true)),
  };
  auto expected = nlohmann::json::parse(R"({"type":"struct","fields":[
    {"name":"a","type":"integer","nullable":false,"metadata":{}},
    {"name":"b","type":{"type":"struct","fields":[{"name":"d","type":"integer","nullable":false,"metadata":{}}]},"nullable":true,"metadata":{}},
    {"name":"c","type":{"type":"array","elementType":"integer","containsNull":false},"nullable":true,"metadata":{}},
    {"name":"e","type":{"type":"array","elementType":{"type":"struct","fields":[{"name":"d","type":"integer","nullable":false,"metadata":{}}]},"containsNull":true},"nullable":true,"metadata":{}},
    {"name":"f","type":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{}}]})");
  EXPECT_EQ(nlohmann::json::parse(to_schema_string(s)), expected);
  auto back = parse_schema_string(to_schema_string(s));
  ASSERT_TRUE(back.ok()) << back.err().describe();
  EXPECT_EQ(*back, s);
  auto dec = parse_schema_string(R"j({"type":"struct","fields":[{"name":"x","type":"decimal(10,2)","nullable":true,"metadata":{}}]})j");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(type_name((*dec)[0].type), "decimal(10,2)");
  EXPECT_TRUE(is(parse_schema_string(R"({"type":"struct","fields":[{"name":"x","type":"geometry","nullable":true}]})").err(),
                 errc::unsupported));
}

TEST(avro_mapping, the_clickstream_streams_map_to_flat_tables) {
  auto s = table_schema_from_avsc(read_text(FRESHET_SOURCE_DIR "/examples/clickstream/schemas/page_view.avsc"));
  ASSERT_TRUE(s.ok()) << s.err().describe();
  table_schema expected{column("user_id", primitive(k::string), false), column("ts", primitive(k::timestamp), false),
                        column("url", primitive(k::string), false), column("referrer", primitive(k::string)),
                        column("user_agent", primitive(k::string)), column("ip", primitive(k::string))};
  EXPECT_EQ(*s, expected);
  EXPECT_EQ((*s)[1].type.source_unit_us, 1000) << "timestamp-millis carries milliseconds";
  EXPECT_EQ((*s)[3].default_json, "null");
  auto purchase = table_schema_from_avsc(read_text(FRESHET_SOURCE_DIR "/examples/clickstream/schemas/purchase.avsc"));
  ASSERT_TRUE(purchase.ok());
  EXPECT_EQ(find_column(*purchase, "currency")->type.k, k::string) << "enums are strings";
  EXPECT_EQ(find_column(*purchase, "items")->type.k, k::integer);
  EXPECT_EQ(find_column(*purchase, "amount")->type.k, k::double_);
}

TEST(avro_mapping, nested_records_arrays_maps_unions_and_logical_types) {
  auto s = table_schema_from_avsc(R"({"type":"record","name":"E","fields":[
    {"name":"geo","type":["null",{"type":"record","name":"Geo","fields":[
        {"name":"country","type":"string"},{"name":"lat","type":["null","double"],"default":null}]}],"default":null},
    {"name":"tags","type":{"type":"array","items":["null","string"]}},
    {"name":"attrs","type":{"type":"map","values":"long"}},
    {"name":"either","type":["null","string","long"]},
    {"name":"day","type":{"type":"int","logicalType":"date"}},
    {"name":"at_us","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
    {"name":"blob","type":{"type":"fixed","name":"F","size":4}},
    {"name":"flag","type":"boolean","default":true},
    {"name":"nothing","type":"null"},
    {"name":"ratio","type":"float"}]})");
  ASSERT_TRUE(s.ok()) << s.err().describe();
  ASSERT_EQ(s->size(), 10u) << "the null field is left out";
  const auto& geo = *find_column(*s, "geo");
  EXPECT_TRUE(geo.nullable);
  ASSERT_EQ(geo.type.k, k::struct_);
  EXPECT_EQ(geo.type.fields[0], column("country", primitive(k::string), false));
  EXPECT_EQ(geo.type.fields[1], column("lat", primitive(k::double_), true));
  EXPECT_EQ(find_column(*s, "tags")->type, array_of(primitive(k::string), true));
  EXPECT_FALSE(find_column(*s, "tags")->nullable);
  EXPECT_EQ(find_column(*s, "attrs")->type, map_of(primitive(k::string), primitive(k::long_), false));
  EXPECT_EQ(find_column(*s, "either")->type.k, k::string) << "a union of several types is kept as text";
  EXPECT_EQ(find_column(*s, "day")->type.k, k::date);
  EXPECT_EQ(find_column(*s, "at_us")->type.k, k::timestamp);
  EXPECT_EQ(find_column(*s, "at_us")->type.source_unit_us, 1);
  EXPECT_EQ(find_column(*s, "price")->type.k, k::double_);
  EXPECT_EQ(find_column(*s, "blob")->type.k, k::binary);
  EXPECT_EQ(find_column(*s, "flag")->default_json, "true");
  EXPECT_EQ(find_column(*s, "ratio")->type.k, k::float_);

  auto fields = to_parquet_fields(*s);
  ASSERT_TRUE(fields.ok()) << fields.err().describe();
  auto ps = freshet::parquet::schema::make(*fields);
  ASSERT_TRUE(ps.ok()) << ps.err().describe();
  EXPECT_TRUE(ps->column_index("geo.country").has_value());
  EXPECT_TRUE(ps->column_index("tags.list.element").has_value());
  EXPECT_TRUE(ps->column_index("attrs.key_value.value").has_value());
}

TEST(avro_mapping, recursive_records_and_non_records_are_refused) {
  auto rec = table_schema_from_avsc(
    R"({"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]})");
  ASSERT_FALSE(rec.ok());
  EXPECT_TRUE(is(rec.err(), errc::unsupported)) << rec.err().describe();
  auto prim = table_schema_from_avsc(R"("string")");
  ASSERT_FALSE(prim.ok());
  EXPECT_TRUE(is(prim.err(), errc::invalid_argument));
  auto dec = to_parquet_fields({column("d", primitive(k::decimal))});
  ASSERT_FALSE(dec.ok());
  EXPECT_TRUE(is(dec.err(), errc::unsupported));
}

} // namespace
