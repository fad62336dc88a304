#include "services/ingest/http_api.hpp"

#include <chrono>
#include <future>

#include <nlohmann/json.hpp>

namespace freshet::ingest {

namespace {

const char* status_name(v1::EventStatus s) {
  switch (s) {
    case v1::EVENT_STATUS_ACCEPTED: return "accepted";
    case v1::EVENT_STATUS_REJECTED: return "rejected";
    case v1::EVENT_STATUS_RETRY: return "retry";
    default: return "unknown";
  }
}

/// Splits the body into event payloads: a JSON array of objects, or one JSON value per line.
/// Lines keep their original bytes so that a malformed one is dead-lettered exactly as sent.
std::vector<incoming_event> split_body(const std::string& body) {
  std::vector<incoming_event> events;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && body[first] == '[') {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_discarded() && doc.is_array()) {
      for (const auto& item : doc)
        events.push_back({"", item.dump(), v1::PAYLOAD_FORMAT_JSON});
      return events;
    }
  }
  size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    auto line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      events.push_back({"", line, v1::PAYLOAD_FORMAT_JSON});
    if (nl == std::string::npos)
      break;
    pos = nl + 1;
  }
  return events;
}

} // namespace

void add_http_routes(http::server& srv, submit_fn submit) {
  srv.route("POST", "/v1/streams/*", [submit](const http::request& req) {
    const std::string prefix = "/v1/streams/";
    auto rest = req.path.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos || rest.substr(slash) != "/events")
      return http::json_error(404, 404, "use POST /v1/streams/{stream}/events");
    auto stream = rest.substr(0, slash);
    auto events = split_body(req.body);
    if (events.empty())
      return http::json_error(400, 400, "empty batch: send a JSON array or JSON lines");
    if (events.size() > static_cast<size_t>(max_batch_events))
      return http::json_error(413, 413, "batch of " + std::to_string(events.size()) + " events; the limit is " +
                                          std::to_string(max_batch_events));
    auto promise = std::make_shared<std::promise<v1::PublishResponse>>();
    auto answer = promise->get_future();
    submit(std::make_shared<publish_job>(stream, std::move(events),
                                         [promise](v1::PublishResponse r) { promise->set_value(std::move(r)); }));
    if (answer.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
      return http::json_error(503, 50301, "Kafka did not acknowledge in time; retry");
    auto resp = answer.get();
    nlohmann::json out{{"accepted", resp.accepted()}, {"rejected", resp.rejected()}, {"results", nlohmann::json::array()}};
    bool retry = false;
    for (const auto& r : resp.results()) {
      nlohmann::json item{{"index", r.index()}, {"event_id", r.event_id()}, {"status", status_name(r.status())}};
      if (!r.reason_code().empty()) {
        item["reason"] = r.reason_code();
        item["message"] = r.message();
      }
      retry = retry || r.status() == v1::EVENT_STATUS_RETRY;
      out["results"].push_back(std::move(item));
    }
    http::response res;
    res.status = retry ? 503 : 200;
    if (retry)
      res.headers.push_back({"Retry-After", "1"});
    res.body = out.dump();
    return res;
  });
}

} // namespace freshet::ingest
