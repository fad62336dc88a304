// Registering enriched schemas, against a stand-in registry served by common/http on loopback.
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/http/server.hpp"
#include "services/enrich/registry_client.hpp"
#include "tests/support/stack.hpp"

namespace freshet::enrich {
namespace {

struct fake_registry {
  int port = testing::free_ports(1)[0];
  http::server server{"127.0.0.1:" + std::to_string(port), 2};
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> calls; // path, body
  int status = 200;

  fake_registry() {
    server.route("POST", "/subjects/*", [this](const http::request& req) {
      std::lock_guard lock{mu};
      calls.emplace_back(req.path, req.body);
      if (status != 200)
        return http::json_error(status, status * 100 + 1, "Schema being registered is incompatible with an earlier schema");
      return http::response{200, "application/vnd.schemaregistry.v1+json", R"({"id":17})", {}};
    });
    EXPECT_TRUE(server.start().ok());
  }
  ~fake_registry() { server.stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

TEST(registry_client, posts_the_schema_as_a_json_string_and_returns_the_id) {
  fake_registry reg;
  registry_client client{reg.url() + "/", 5000};
  const std::string schema = R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],"default":null}]})";
  auto id = client.register_schema("page_view-enriched-value", schema);
  ASSERT_TRUE(id.ok()) << id.err().describe();
  EXPECT_EQ(*id, 17);
  ASSERT_EQ(reg.calls.size(), 1u);
  EXPECT_EQ(reg.calls[0].first, "/subjects/page_view-enriched-value/versions");
  auto body = nlohmann::json::parse(reg.calls[0].second);
  EXPECT_EQ(body["schema"], schema) << "the schema travels as a string, not as an object";
}

TEST(registry_client, an_incompatible_schema_is_a_final_error_with_the_registrys_message) {
  fake_registry reg;
  reg.status = 409;
  registry_client client{reg.url(), 5000};
  auto id = client.register_schema("s-enriched-value", R"("string")");
  ASSERT_FALSE(id.ok());
  EXPECT_FALSE(id.err().retriable);
  EXPECT_NE(id.err().message.find("HTTP 409"), std::string::npos) << id.err().message;
  EXPECT_NE(id.err().message.find("incompatible"), std::string::npos) << id.err().message;
}

TEST(registry_client, server_errors_and_unreachable_registries_are_retriable) {
  {
    fake_registry reg;
    reg.status = 503;
    auto id = registry_client{reg.url(), 5000}.register_schema("s", R"("string")");
    ASSERT_FALSE(id.ok());
    EXPECT_TRUE(id.err().retriable);
  }
  auto port = testing::free_ports(1)[0];
  auto id = registry_client{"http://127.0.0.1:" + std::to_string(port), 2000}.register_schema("s", R"("string")");
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.err().retriable) << id.err().describe();
  auto https = registry_client{"https://registry:8081", 2000}.register_schema("s", R"("string")");
  ASSERT_FALSE(https.ok());
  EXPECT_FALSE(https.err().retriable);
}

} // namespace
} // namespace freshet::enrich
