#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "services/registry/memory_store.hpp"
#include "services/registry/rest_api.hpp"

namespace freshet::registry::testing {

/// A REST API over a fresh in-memory store, called directly (no sockets).
struct rest_harness {
  memory_store store;
  rest_api api{store, nullptr, rest_api::options{}};

  struct answer {
    int status = 0;
    nlohmann::json body;
    std::string raw;
    std::string content_type;
    [[nodiscard]] int code() const { return body.is_object() && body.contains("error_code") ? body["error_code"].get<int>() : 0; }
  };

  answer call(const std::string& method, const std::string& path, const std::string& body = "") {
    http::request req;
    req.method = method;
    auto q = path.find('?');
    req.path = path.substr(0, q);
    req.query = q == std::string::npos ? "" : path.substr(q + 1);
    req.body = body;
    auto resp = api.handle(req);
    answer a;
    a.status = resp.status;
    a.raw = resp.body;
    a.content_type = resp.content_type;
    a.body = nlohmann::json::parse(resp.body, nullptr, false);
    return a;
  }

  static std::string schema_body(const nlohmann::json& schema) {
    return nlohmann::json{{"schema", schema.dump()}}.dump();
  }

  /// Registers and returns the id (fails the test on an error answer).
  int reg(const std::string& subject, const nlohmann::json& schema) {
    auto a = call("POST", "/subjects/" + subject + "/versions", schema_body(schema));
    EXPECT_EQ(a.status, 200) << a.raw;
    return a.status == 200 ? a.body["id"].get<int>() : -1;
  }

  static nlohmann::json record(const std::string& name, const std::vector<nlohmann::json>& fields) {
    return {{"type", "record"}, {"name", name}, {"fields", nlohmann::json(fields)}};
  }
  static nlohmann::json field(const std::string& name, const nlohmann::json& type) {
    return {{"name", name}, {"type", type}};
  }
  static nlohmann::json field(const std::string& name, const nlohmann::json& type, const nlohmann::json& dflt) {
    return {{"name", name}, {"type", type}, {"default", dflt}};
  }
};

struct rest_fixture : ::testing::Test, rest_harness {};

} // namespace freshet::registry::testing
