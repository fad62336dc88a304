#pragma once

#include <cstdint>
#include <string>

#include "common/config/pipeline_spec.hpp"

namespace freshet::ingest {

/// Why an event was refused. The code is stable (metrics label, DLQ header); the message is for people.
struct rejection {
  std::string reason;
  std::string message;
};

/// What the publisher needs from a payload that passed the checks.
struct checked_event {
  std::string key;          ///< partitioning key (the stream's key field), may be empty
  int64_t event_time_ms = 0; ///< from the event-time field, or the receipt time
  std::string event_id;     ///< from the payload's "event_id" field when the client set none
};

inline constexpr size_t max_event_bytes = 1 << 20;

/// Checks a JSON payload against the stream's declared fields. Returns false and fills `why` on
/// failure. Schema validation (types, required fields) arrives with the registry.
[[nodiscard]] bool check_json_event(const config::stream_spec& stream, const std::string& payload,
                                    int64_t received_at_ms, checked_event& out, rejection& why);

} // namespace freshet::ingest
