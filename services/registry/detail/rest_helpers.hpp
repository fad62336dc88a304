#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base/result.hpp"
#include "common/http/server.hpp"
#include "services/registry/schema_text.hpp"

namespace freshet::registry::detail {

/// Confluent's content type; clients also accept application/json.
inline constexpr const char* content_type = "application/vnd.schemaregistry.v1+json";

[[nodiscard]] http::response json_answer(const nlohmann::json& body, int status = 200);
/// `{"error_code": N, "message": "..."}`; errors that are not the registry's become 50001.
[[nodiscard]] http::response error_answer(const error& err);
/// A boolean query parameter ("true", case-insensitive).
[[nodiscard]] bool flag(const http::request& req, const std::string& name);
/// Confluent's `offset` / `limit` paging (limit < 0: everything).
[[nodiscard]] nlohmann::json page(const http::request& req, const std::vector<nlohmann::json>& items);

/// The body of register, lookup and compatibility requests: `{"schema": "...", "schemaType"?:
/// "AVRO", "references"?: []}`, the schema parsed and validated. Other schema types and schema
/// references are `errc::invalid_schema` (this registry holds self-contained Avro schemas).
[[nodiscard]] result<parsed_schema> parse_schema_body(const std::string& body);

/// A JSON object body; `errc::bad_request` otherwise.
[[nodiscard]] result<nlohmann::json> parse_object_body(const std::string& body);

} // namespace freshet::registry::detail
