#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/http/server.hpp"
#include "services/query/grpc_api.hpp"

namespace freshet::query {

/// `GET /v1/counts?from=&to=&stream=` (JSON), `GET /v1/metrics` (the metrics),
/// `GET /v1/metrics/{name}?from=&to=&merge=&group_by=a,b&dim.<field>=<value>&limit=&state=` (one
/// metric, see `QueryMetricRequest`), and the live dashboard at `/`.
void add_http_routes(http::server& srv, query_backend backend);

/// A metric answer as JSON: values by aggregation name (quantiles as {"p50": ...}, top-k as a list
/// of {item, count, error}).
[[nodiscard]] nlohmann::json to_json(const v1::QueryMetricResponse& r);

/// The dashboard: one self-contained HTML page that polls the JSON API every second.
[[nodiscard]] const std::string& dashboard_html();

} // namespace freshet::query
