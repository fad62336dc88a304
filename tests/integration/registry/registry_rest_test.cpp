// freshet-registry as a child process over a real Kafka: every endpoint and error code over HTTP,
// metrics, and a restart (clean and crash) that loses nothing.
#include <gtest/gtest.h>

#include "tests/integration/registry/registry_process.hpp"
#include "tests/support/stack.hpp"

namespace freshet::testing {
namespace {

using json = nlohmann::json;

json rec(const std::string& name, std::vector<json> fields) {
  return {{"type", "record"}, {"name", name}, {"fields", json(std::move(fields))}};
}
json fld(const std::string& n, const json& t) {
  return {{"name", n}, {"type", t}};
}
json fld(const std::string& n, const json& t, const json& d) {
  return {{"name", n}, {"type", t}, {"default", d}};
}
std::string body(const json& schema) {
  return json{{"schema", schema.dump()}}.dump();
}

const json v1 = rec("Order", {fld("id", "string")});
const json v2 = rec("Order", {fld("id", "string"), fld("qty", "int", 1)});
const json v3_bad = rec("Order", {fld("id", "string"), fld("qty", "int", 1), fld("sku", "string")});

TEST(registry_rest, every_endpoint_and_error_code_over_http) {
  registry_process r{"rest", registry_spec("_schemas.rest")};
  auto root = r.call("GET", "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.content_type, "application/vnd.schemaregistry.v1+json");
  EXPECT_EQ(root.json(), json::object());

  // Register, re-register, evolve, reject.
  EXPECT_EQ(r.reg("orders-value", v1), 1);
  EXPECT_EQ(r.reg("orders-value", v1), 1);
  EXPECT_EQ(r.reg("orders-value", v2), 2);
  EXPECT_EQ(r.reg("orders-copy", v2), 2);
  http_reply last;
  EXPECT_EQ(r.reg("orders-value", v3_bad, &last), -1);
  EXPECT_EQ(last.status, 409);
  EXPECT_EQ(last.error_code(), 409);
  EXPECT_NE(last.body.find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos) << last.body;
  auto invalid = r.call("POST", "/subjects/orders-value/versions", json{{"schema", "{\"type\":1}"}}.dump());
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.error_code(), 42201);

  // Reads.
  EXPECT_EQ(r.call("GET", "/subjects").json(), json::array({"orders-copy", "orders-value"}));
  EXPECT_EQ(r.call("GET", "/subjects/orders-value/versions").json(), json::array({1, 2}));
  EXPECT_EQ(r.call("GET", "/subjects/orders-value/versions/latest").json(),
            json({{"subject", "orders-value"}, {"version", 2}, {"id", 2}, {"schema", v2.dump()}}));
  EXPECT_EQ(r.call("GET", "/subjects/orders-value/versions/1/schema").json(), v1);
  EXPECT_EQ(r.call("GET", "/subjects/orders-value/versions/0").error_code(), 42202);
  EXPECT_EQ(r.call("GET", "/subjects/orders-value/versions/9").error_code(), 40402);
  EXPECT_EQ(r.call("GET", "/subjects/nope/versions").error_code(), 40401);
  EXPECT_EQ(r.call("POST", "/subjects/orders-value", body(v1)).json()["version"], 1);
  EXPECT_EQ(r.call("POST", "/subjects/orders-value", body(v3_bad)).error_code(), 40403);
  EXPECT_EQ(r.call("GET", "/schemas/ids/2").json(), json({{"schema", v2.dump()}}));
  EXPECT_EQ(r.call("GET", "/schemas/ids/2/versions").json(),
            json::array({{{"subject", "orders-copy"}, {"version", 1}}, {{"subject", "orders-value"}, {"version", 2}}}));
  EXPECT_EQ(r.call("GET", "/schemas/ids/2/subjects").json(), json::array({"orders-copy", "orders-value"}));
  EXPECT_EQ(r.call("GET", "/schemas/ids/77").error_code(), 40403);
  EXPECT_EQ(r.call("GET", "/schemas/types").json(), json::array({"AVRO"}));

  // Compatibility tests.
  EXPECT_EQ(r.call("POST", "/compatibility/subjects/orders-value/versions/latest", body(v2)).json()["is_compatible"], true);
  auto verbose = r.call("POST", "/compatibility/subjects/orders-value/versions/latest?verbose=true", body(v3_bad)).json();
  EXPECT_EQ(verbose["is_compatible"], false);
  EXPECT_EQ(verbose["messages"].size(), 1u);
  EXPECT_EQ(r.call("POST", "/compatibility/subjects/orders-value/versions", body(v3_bad)).json()["is_compatible"], false);
  EXPECT_EQ(r.call("POST", "/compatibility/subjects/orders-value/versions/x", body(v1)).error_code(), 42202);

  // Config.
  EXPECT_EQ(r.call("GET", "/config").json(), json({{"compatibilityLevel", "BACKWARD"}}));
  EXPECT_EQ(r.call("PUT", "/config/orders-value", R"({"compatibility":"NONE"})").json(), json({{"compatibility", "NONE"}}));
  EXPECT_EQ(r.call("GET", "/config/orders-value").json(), json({{"compatibilityLevel", "NONE"}}));
  EXPECT_EQ(r.reg("orders-value", v3_bad), 3) << "NONE accepts the change";
  EXPECT_EQ(r.call("PUT", "/config", R"({"compatibility":"bogus"})").error_code(), 42203);
  EXPECT_EQ(r.call("GET", "/config/orders-copy").error_code(), 40408);
  EXPECT_EQ(r.call("PUT", "/config", R"({"compatibility":"FULL_TRANSITIVE"})").status, 200);
  EXPECT_EQ(r.call("GET", "/config/orders-copy?defaultToGlobal=true").json()["compatibilityLevel"], "FULL_TRANSITIVE");
  EXPECT_EQ(r.call("DELETE", "/config/orders-value").json(), json({{"compatibilityLevel", "NONE"}}));
  EXPECT_EQ(r.call("DELETE", "/config").json(), json({{"compatibilityLevel", "FULL_TRANSITIVE"}}));

  // Deletion, soft then permanent, with every refusal on the way.
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-value/versions/3?permanent=true").error_code(), 40407);
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-value/versions/3").json(), 3);
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-value/versions/3").error_code(), 40406);
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-value/versions/3?permanent=true").json(), 3);
  EXPECT_EQ(r.call("GET", "/schemas/ids/3").error_code(), 40403);
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-copy?permanent=true").error_code(), 40405);
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-copy").json(), json::array({1}));
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-copy").error_code(), 40404);
  EXPECT_EQ(r.call("GET", "/subjects?deleted=true").json(), json::array({"orders-copy", "orders-value"}));
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-copy?permanent=true").json(), json::array({1}));
  EXPECT_EQ(r.call("DELETE", "/subjects/orders-copy").error_code(), 40401);
  EXPECT_EQ(r.reg("other", json("string")), 4) << "id 3 was deleted for good and is not handed out again";

  // Unknown routes, mode.
  EXPECT_EQ(r.call("GET", "/nope").status, 404);
  EXPECT_EQ(r.call("DELETE", "/schemas/types").status, 405);
  EXPECT_EQ(r.call("GET", "/mode").json(), json({{"mode", "READWRITE"}}));

  // Metrics behind the probe.
  EXPECT_GE(scrape_metric(r.metrics_port(), "freshet_registry_registrations_total"), 5);
  EXPECT_GE(scrape_metric(r.metrics_port(), "freshet_registry_compatibility_rejections_total"), 3);
  EXPECT_GT(scrape_metric(r.metrics_port(), "freshet_registry_requests_total"), 40);
  EXPECT_EQ(scrape_metric(r.metrics_port(), "freshet_registry_ready"), 1);
  EXPECT_EQ(scrape_metric(r.metrics_port(), "freshet_registry_view_conflicts"), 0);
  EXPECT_EQ(r.stop(), 0);
}

TEST(registry_rest, a_restart_loses_nothing) {
  registry_process r{"restart", registry_spec("_schemas.restart")};
  ASSERT_EQ(r.call("PUT", "/config", R"({"compatibility":"FORWARD"})").status, 200);
  int max_id = 0;
  for (int s = 0; s < 4; ++s) {
    auto subject = "s" + std::to_string(s);
    ASSERT_EQ(r.call("PUT", "/config/" + subject, R"({"compatibility":"NONE"})").status, 200);
    for (int v = 0; v < 5; ++v)
      max_id = std::max(max_id, r.reg(subject, rec("R" + std::to_string(s), {fld("f" + std::to_string(v), "int")})));
  }
  ASSERT_EQ(r.call("DELETE", "/config/s3").status, 200);
  ASSERT_EQ(r.call("DELETE", "/subjects/s1/versions/2").status, 200);
  ASSERT_EQ(r.call("DELETE", "/subjects/s2").status, 200);
  ASSERT_EQ(r.call("DELETE", "/subjects/s2?permanent=true").status, 200);
  auto before = dump_registry(r);
  ASSERT_EQ(before["subjects"].size(), 3u);

  EXPECT_EQ(r.stop(), 0);
  r.start();
  EXPECT_EQ(dump_registry(r), before) << "after a clean stop";

  (void) r.stop(/*crash=*/true);
  r.start();
  EXPECT_EQ(dump_registry(r), before) << "after SIGKILL";
  int next = r.reg("s9", json("bytes"));
  EXPECT_EQ(next, max_id + 1) << "ids continue after the highest ever handed out";
  EXPECT_EQ(r.stop(), 0);
}

} // namespace
} // namespace freshet::testing
