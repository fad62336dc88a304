// Every endpoint of the REST API and every error code it answers, over the in-memory store.
#include "tests/unit/registry/rest_fixture.hpp"

namespace freshet::registry::testing {
namespace {

using json = nlohmann::json;
using rest = rest_fixture;

const json v1 = rest::record("User", {rest::field("name", "string")});
const json v2 = rest::record("User", {rest::field("name", "string"), rest::field("age", "int", 0)});
const json v3_bad = rest::record("User", {rest::field("name", "string"), rest::field("age", "int", 0),
                                          rest::field("country", "string")});

TEST_F(rest, root_answers_an_empty_object_with_confluents_content_type) {
  auto a = call("GET", "/");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, json::object());
  EXPECT_EQ(a.content_type, "application/vnd.schemaregistry.v1+json");
}

TEST_F(rest, registering_the_same_schema_again_returns_its_id_without_a_new_version) {
  int id = reg("s", v1);
  EXPECT_EQ(id, 1);
  EXPECT_EQ(reg("s", v1), 1);
  // Whitespace and member order do not make another schema.
  auto reordered = R"({"fields": [{"type": "string", "name": "name"}],   "name": "User", "type": "record"})";
  auto a = call("POST", "/subjects/s/versions", json{{"schema", reordered}}.dump());
  EXPECT_EQ(a.body["id"], 1);
  EXPECT_EQ(call("GET", "/subjects/s/versions").body, json::array({1}));
}

TEST_F(rest, ids_are_global_monotonic_and_shared_by_identical_schemas) {
  EXPECT_EQ(reg("a", v1), 1);
  EXPECT_EQ(reg("a", v2), 2);
  EXPECT_EQ(reg("b", v2), 2) << "the same schema under another subject keeps its id";
  EXPECT_EQ(call("GET", "/subjects/b/versions").body, json::array({1}));
  EXPECT_EQ(reg("c", json("string")), 3);
  // `{"type": "string"}` is the same schema as `"string"`.
  EXPECT_EQ(reg("d", json{{"type", "string"}}), 3);
  // A default is part of the schema: another id.
  EXPECT_EQ(reg("e", rest::record("User", {rest::field("name", "string", "x")})), 4);
}

TEST_F(rest, invalid_schemas_are_42201_and_bad_bodies_are_400) {
  auto a = call("POST", "/subjects/s/versions", json{{"schema", R"({"type": "recrd"})"}}.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.code(), 42201);
  EXPECT_EQ(call("POST", "/subjects/s/versions", json{{"schema", "{not json"}}.dump()).code(), 42201);
  EXPECT_EQ(call("POST", "/subjects/s/versions", json{{"schema", v1.dump()}, {"schemaType", "PROTOBUF"}}.dump()).code(),
            42201);
  EXPECT_EQ(call("POST", "/subjects/s/versions",
                 json{{"schema", v1.dump()}, {"references", json::array({{{"name", "x"}, {"subject", "y"}, {"version", 1}}})}}
                   .dump())
              .code(),
            42201);
  EXPECT_EQ(call("POST", "/subjects/s/versions", "{}").code(), 42201);
  auto bad = call("POST", "/subjects/s/versions", "not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.code(), 400);
  // An explicit AVRO type is fine.
  EXPECT_EQ(call("POST", "/subjects/s/versions", json{{"schema", v1.dump()}, {"schemaType", "AVRO"}}.dump()).status, 200);
  EXPECT_EQ(call("GET", "/subjects").body, json::array({"s"}));
}

TEST_F(rest, an_incompatible_schema_is_409_with_the_reasons_and_changes_nothing) {
  reg("s", v1);
  reg("s", v2);
  auto a = call("POST", "/subjects/s/versions", schema_body(v3_bad));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.code(), 409);
  auto msg = a.body["message"].get<std::string>();
  EXPECT_NE(msg.find("Schema being registered is incompatible with an earlier schema for subject \"s\""),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  EXPECT_EQ(call("GET", "/subjects/s/versions").body, json::array({1, 2}));
}

TEST_F(rest, versions_are_read_by_number_latest_and_minus_one) {
  reg("s", v1);
  reg("s", v2);
  auto one = call("GET", "/subjects/s/versions/1");
  EXPECT_EQ(one.body, json({{"subject", "s"}, {"version", 1}, {"id", 1}, {"schema", v1.dump()}}));
  EXPECT_EQ(call("GET", "/subjects/s/versions/latest").body["version"], 2);
  EXPECT_EQ(call("GET", "/subjects/s/versions/-1").body["id"], 2);
  auto raw = call("GET", "/subjects/s/versions/1/schema");
  EXPECT_EQ(raw.body, v1);
  EXPECT_EQ(call("GET", "/subjects/s/versions/2/referencedby").body, json::array());
  for (const char* bad : {"0", "abc", "-2", "2147483648", "1.5"}) {
    auto a = call("GET", std::string{"/subjects/s/versions/"} + bad);
    EXPECT_EQ(a.status, 422) << bad;
    EXPECT_EQ(a.code(), 42202) << bad;
  }
  auto missing = call("GET", "/subjects/s/versions/3");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code(), 40402);
  EXPECT_EQ(call("GET", "/subjects/nope/versions/1").code(), 40401);
  EXPECT_EQ(call("GET", "/subjects/nope/versions").code(), 40401);
  EXPECT_EQ(call("GET", "/subjects/nope/versions/latest/schema").code(), 40401);
}

TEST_F(rest, lookup_finds_the_version_holding_a_schema) {
  reg("s", v1);
  reg("s", v2);
  auto a = call("POST", "/subjects/s", schema_body(v1));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, json({{"subject", "s"}, {"version", 1}, {"id", 1}, {"schema", v1.dump()}}));
  auto missing = call("POST", "/subjects/s", schema_body(v3_bad));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code(), 40403);
  EXPECT_EQ(call("POST", "/subjects/other", schema_body(v1)).code(), 40401);
  EXPECT_EQ(call("POST", "/subjects/s", json{{"schema", "{"}}.dump()).code(), 42201);
  // Soft-deleted versions are found only when asked for.
  call("DELETE", "/subjects/s/versions/1");
  EXPECT_EQ(call("POST", "/subjects/s", schema_body(v1)).code(), 40403);
  EXPECT_EQ(call("POST", "/subjects/s?deleted=true", schema_body(v1)).body["version"], 1);
}

TEST_F(rest, subjects_list_filters_deleted_and_pages) {
  reg("a-value", v1);
  reg("b-value", v1);
  reg("c-key", json("string"));
  EXPECT_EQ(call("GET", "/subjects").body, json::array({"a-value", "b-value", "c-key"}));
  call("DELETE", "/subjects/b-value");
  EXPECT_EQ(call("GET", "/subjects").body, json::array({"a-value", "c-key"}));
  EXPECT_EQ(call("GET", "/subjects?deleted=true").body, json::array({"a-value", "b-value", "c-key"}));
  EXPECT_EQ(call("GET", "/subjects?deletedOnly=true").body, json::array({"b-value"}));
  EXPECT_EQ(call("GET", "/subjects?deleted_only=true").body, json::array({"b-value"}));
  EXPECT_EQ(call("GET", "/subjects?subjectPrefix=c-").body, json::array({"c-key"}));
  EXPECT_EQ(call("GET", "/subjects?offset=1&limit=1").body, json::array({"c-key"}));
}

TEST_F(rest, soft_and_permanent_deletion_of_versions) {
  reg("s", v1);
  reg("s", v2);
  auto soft = call("DELETE", "/subjects/s/versions/1");
  EXPECT_EQ(soft.status, 200);
  EXPECT_EQ(soft.body, 1);
  EXPECT_EQ(call("GET", "/subjects/s/versions").body, json::array({2}));
  EXPECT_EQ(call("GET", "/subjects/s/versions?deleted=true").body, json::array({1, 2}));
  EXPECT_EQ(call("GET", "/subjects/s/versions/1").code(), 40402);
  EXPECT_EQ(call("GET", "/subjects/s/versions/1?deleted=true").body["id"], 1);
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/1").code(), 40406);
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/2?permanent=true").code(), 40407);
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/7").code(), 40402);
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/x").code(), 42202);
  EXPECT_EQ(call("DELETE", "/subjects/nope/versions/1").code(), 40401);
  // A soft-deleted schema is still served by id (old data must stay readable).
  EXPECT_EQ(call("GET", "/schemas/ids/1").status, 200);
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/1?permanent=true").body, 1);
  EXPECT_EQ(call("GET", "/subjects/s/versions?deleted=true").body, json::array({2}));
  EXPECT_EQ(call("GET", "/schemas/ids/1").code(), 40403);
  // Deleting "latest" soft-deletes the newest live version.
  EXPECT_EQ(call("DELETE", "/subjects/s/versions/latest").body, 2);
  EXPECT_EQ(call("GET", "/subjects/s/versions").code(), 40401);
}

TEST_F(rest, soft_and_permanent_deletion_of_subjects) {
  reg("s", v1);
  reg("s", v2);
  EXPECT_EQ(call("DELETE", "/subjects/s?permanent=true").code(), 40405);
  auto soft = call("DELETE", "/subjects/s");
  EXPECT_EQ(soft.body, json::array({1, 2}));
  EXPECT_EQ(call("DELETE", "/subjects/s").code(), 40404);
  EXPECT_EQ(call("GET", "/subjects/s/versions").code(), 40401);
  EXPECT_EQ(call("GET", "/subjects/s/versions/latest").code(), 40401);
  // Registering again after a soft delete: a new version, the same id.
  EXPECT_EQ(reg("s", v1), 1);
  EXPECT_EQ(call("GET", "/subjects/s/versions").body, json::array({3}));
  EXPECT_EQ(call("DELETE", "/subjects/s").body, json::array({3}));
  EXPECT_EQ(call("DELETE", "/subjects/s?permanent=true").body, json::array({1, 2, 3}));
  EXPECT_EQ(call("DELETE", "/subjects/s").code(), 40401);
  EXPECT_EQ(call("GET", "/subjects?deleted=true").body, json::array());
  EXPECT_EQ(call("GET", "/schemas/ids/2").code(), 40403);
  // Ids are never handed out twice, even after the highest was deleted for good.
  EXPECT_EQ(reg("t", json("int")), 3);
  EXPECT_EQ(reg("s", v2), 4);
  EXPECT_EQ(call("GET", "/subjects/s/versions").body, json::array({1})) << "versions restart after a permanent delete";
}

TEST_F(rest, schemas_by_id) {
  reg("a", v1);
  reg("b", v1);
  reg("b", v2);
  auto a = call("GET", "/schemas/ids/1");
  EXPECT_EQ(a.body, json({{"schema", v1.dump()}})) << "no schemaType for AVRO";
  EXPECT_EQ(call("GET", "/schemas/ids/1/schema").body, v1);
  EXPECT_EQ(call("GET", "/schemas/ids/1/versions").body,
            json::array({{{"subject", "a"}, {"version", 1}}, {{"subject", "b"}, {"version", 1}}}));
  EXPECT_EQ(call("GET", "/schemas/ids/1/subjects").body, json::array({"a", "b"}));
  call("DELETE", "/subjects/a");
  EXPECT_EQ(call("GET", "/schemas/ids/1/subjects").body, json::array({"b"}));
  EXPECT_EQ(call("GET", "/schemas/ids/1/subjects?deleted=true").body, json::array({"a", "b"}));
  for (const char* bad : {"9", "0", "abc"}) {
    auto m = call("GET", std::string{"/schemas/ids/"} + bad);
    EXPECT_EQ(m.status, 404) << bad;
    EXPECT_EQ(m.code(), 40403) << bad;
  }
  EXPECT_EQ(call("GET", "/schemas/ids/9/versions").code(), 40403);
  EXPECT_EQ(call("GET", "/schemas/types").body, json::array({"AVRO"}));
}

TEST_F(rest, compatibility_tests_against_a_version_latest_or_all) {
  reg("s", v1);
  reg("s", v2);
  auto ok = call("POST", "/compatibility/subjects/s/versions/latest", schema_body(v2));
  EXPECT_EQ(ok.body, json({{"is_compatible", true}}));
  auto bad = call("POST", "/compatibility/subjects/s/versions/latest?verbose=true", schema_body(v3_bad));
  EXPECT_EQ(bad.body["is_compatible"], false);
  ASSERT_EQ(bad.body["messages"].size(), 1u) << bad.raw;
  EXPECT_NE(bad.body["messages"][0].get<std::string>().find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos);
  EXPECT_EQ(call("POST", "/compatibility/subjects/s/versions/1", schema_body(v3_bad)).body["is_compatible"], false);
  EXPECT_EQ(call("POST", "/compatibility/subjects/s/versions", schema_body(v3_bad)).body["is_compatible"], false);
  EXPECT_EQ(call("POST", "/compatibility/subjects/new/versions", schema_body(v3_bad)).body["is_compatible"], true);
  EXPECT_EQ(call("POST", "/compatibility/subjects/new/versions/latest", schema_body(v1)).code(), 40401);
  EXPECT_EQ(call("POST", "/compatibility/subjects/s/versions/5", schema_body(v1)).code(), 40402);
  EXPECT_EQ(call("POST", "/compatibility/subjects/s/versions/zero", schema_body(v1)).code(), 42202);
  EXPECT_EQ(call("POST", "/compatibility/subjects/s/versions/1", json{{"schema", "{"}}.dump()).code(), 42201);
}

TEST_F(rest, config_global_and_per_subject) {
  EXPECT_EQ(call("GET", "/config").body, json({{"compatibilityLevel", "BACKWARD"}}));
  EXPECT_EQ(call("PUT", "/config", R"({"compatibility": "full"})").body, json({{"compatibility", "FULL"}}));
  EXPECT_EQ(call("GET", "/config").body["compatibilityLevel"], "FULL");
  auto bad = call("PUT", "/config", R"({"compatibility": "SIDEWAYS"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.code(), 42203);
  EXPECT_EQ(call("PUT", "/config", "{}").code(), 42203);
  auto unset = call("GET", "/config/s");
  EXPECT_EQ(unset.status, 404);
  EXPECT_EQ(unset.code(), 40408);
  EXPECT_EQ(call("GET", "/config/s?defaultToGlobal=true").body["compatibilityLevel"], "FULL");
  EXPECT_EQ(call("PUT", "/config/s", R"({"compatibility": "NONE"})").body["compatibility"], "NONE");
  EXPECT_EQ(call("GET", "/config/s").body["compatibilityLevel"], "NONE");
  // NONE lets anything through on that subject only.
  reg("s", v1);
  EXPECT_EQ(call("POST", "/subjects/s/versions", schema_body(rest::record("User", {rest::field("n", "int")}))).status, 200);
  reg("t", v1);
  EXPECT_EQ(call("POST", "/subjects/t/versions", schema_body(rest::record("User", {rest::field("n", "int")}))).status, 409);
  EXPECT_EQ(call("DELETE", "/config/s").body, json({{"compatibilityLevel", "NONE"}}));
  EXPECT_EQ(call("GET", "/config/s").code(), 40408);
  EXPECT_EQ(call("DELETE", "/config/nope").code(), 40401);
  EXPECT_EQ(call("DELETE", "/config").body, json({{"compatibilityLevel", "FULL"}}));
  EXPECT_EQ(call("GET", "/config").body["compatibilityLevel"], "BACKWARD");
}

TEST_F(rest, mode_contexts_and_unknown_routes) {
  EXPECT_EQ(call("GET", "/mode").body, json({{"mode", "READWRITE"}}));
  EXPECT_EQ(call("GET", "/mode/s").body, json({{"mode", "READWRITE"}}));
  EXPECT_EQ(call("PUT", "/mode", R"({"mode": "READWRITE"})").status, 200);
  EXPECT_EQ(call("PUT", "/mode", R"({"mode": "IMPORT"})").code(), 42204);
  EXPECT_EQ(call("GET", "/contexts").body, json::array({"."}));
  auto nowhere = call("GET", "/nowhere");
  EXPECT_EQ(nowhere.status, 404);
  EXPECT_EQ(nowhere.code(), 404);
  auto wrong = call("PUT", "/subjects");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.content_type, "application/vnd.schemaregistry.v1+json");
}

TEST_F(rest, the_store_log_uses_confluents_record_format) {
  reg("s", v1);
  call("PUT", "/config/s", R"({"compatibility": "FULL"})");
  auto log = store.log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].key, R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
  EXPECT_EQ(json::parse(*log[0].value),
            json({{"subject", "s"}, {"version", 1}, {"id", 1}, {"schema", v1.dump()}, {"deleted", false}}));
  EXPECT_EQ(log[1].key, R"({"keytype":"CONFIG","subject":"s","magic":0})");
  EXPECT_EQ(*log[1].value, R"({"compatibilityLevel":"FULL"})");
}

} // namespace
} // namespace freshet::registry::testing
