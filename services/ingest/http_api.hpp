#pragma once

#include "common/http/server.hpp"
#include "services/ingest/grpc_api.hpp"

namespace freshet::ingest {

/// `POST /v1/streams/{stream}/events` with a JSON array or JSON lines; answers with a result per
/// event. 200 when every event was accepted or dead-lettered, 503 with Retry-After when some must
/// be retried, 400 for an empty or unreadable body.
void add_http_routes(http::server& srv, submit_fn submit);

} // namespace freshet::ingest
