#pragma once

#include <cstdint>

#include "common/http/server.hpp"
#include "services/ingest/dispatcher.hpp"

namespace freshet::ingest {

/// `POST /v1/streams/{stream}/events` with a JSON array or JSON lines (see `split_events`); an
/// event may carry its id as an "event_id" member. Answers with a result per event:
/// - 200: every event accepted or dead-lettered;
/// - 503 + Retry-After: some events must be sent again (each says why), or Kafka is down (nothing taken);
/// - 429 + Retry-After: ingest is at its memory bound (nothing taken);
/// - 400 empty batch, 413 batch too large (nothing taken), 404 wrong path.
/// The handler waits on a civetweb worker thread for Kafka's acknowledgements, at most `max_wait_ms`.
void add_http_routes(http::server& srv, dispatcher& d, int64_t max_wait_ms);

} // namespace freshet::ingest
