#include "services/ingest/event_check.hpp"

#include <nlohmann/json.hpp>

namespace freshet::ingest {

bool check_json_event(const config::stream_spec& stream, const std::string& payload, int64_t received_at_ms,
                      checked_event& out, rejection& why) {
  if (payload.size() > max_event_bytes) {
    why = {"event_too_large", "event is " + std::to_string(payload.size()) + " bytes; the limit is " +
                                std::to_string(max_event_bytes)};
    return false;
  }
  auto doc = nlohmann::json::parse(payload, nullptr, false);
  if (doc.is_discarded()) {
    why = {"malformed_json", "payload is not valid JSON"};
    return false;
  }
  if (!doc.is_object()) {
    why = {"not_an_object", "payload must be a JSON object"};
    return false;
  }
  out.key.clear();
  if (!stream.key_field.empty()) {
    auto it = doc.find(stream.key_field);
    if (it == doc.end() || it->is_null()) {
      why = {"missing_key", "key field '" + stream.key_field + "' is missing"};
      return false;
    }
    out.key = it->is_string() ? it->get<std::string>() : it->dump();
  }
  out.event_time_ms = received_at_ms;
  if (!stream.event_time_field.empty()) {
    auto it = doc.find(stream.event_time_field);
    if (it != doc.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0) {
        why = {"bad_timestamp", "field '" + stream.event_time_field + "' must be epoch milliseconds"};
        return false;
      }
      out.event_time_ms = it->get<int64_t>();
    }
  }
  out.event_id.clear();
  if (auto it = doc.find("event_id"); it != doc.end() && it->is_string())
    out.event_id = it->get<std::string>();
  return true;
}

} // namespace freshet::ingest
