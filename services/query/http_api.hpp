#pragma once

#include "common/http/server.hpp"
#include "services/query/grpc_api.hpp"

namespace freshet::query {

/// `GET /v1/counts?from=&to=&stream=` (JSON) and the live dashboard at `/`.
void add_http_routes(http::server& srv, ask_fn ask);

/// The dashboard: one self-contained HTML page that polls `/v1/counts` every second.
[[nodiscard]] const std::string& dashboard_html();

} // namespace freshet::query
