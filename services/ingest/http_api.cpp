#include "services/ingest/http_api.hpp"

#include <chrono>
#include <future>

#include <nlohmann/json.hpp>

#include "services/ingest/body_split.hpp"
#include "services/ingest/reasons.hpp"

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

void set_retry_after(http::response& res, int64_t ms) {
  res.headers.push_back({"Retry-After", std::to_string(std::max<int64_t>(1, (ms + 999) / 1000))});
}

http::response refusal_response(const refusal& r) {
  http::response res;
  switch (r.what) {
    case refusal::kind::empty: res.status = 400; break;
    case refusal::kind::too_large: res.status = 413; break;
    case refusal::kind::overloaded: res.status = 429; break;
    default: res.status = 503;
  }
  nlohmann::json body{{"error_code", res.status}, {"reason", r.reason}, {"message", r.message}};
  if (r.retry_after_ms > 0) {
    body["retry_after_ms"] = r.retry_after_ms;
    set_retry_after(res, r.retry_after_ms);
  }
  res.body = body.dump();
  return res;
}

} // namespace

void add_http_routes(http::server& srv, dispatcher& d, int64_t max_wait_ms) {
  srv.route("POST", "/v1/streams/*", [&d, max_wait_ms](const http::request& req) {
    const std::string prefix = "/v1/streams/";
    auto rest = req.path.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos || rest.substr(slash) != "/events")
      return http::json_error(404, 404, "use POST /v1/streams/{stream}/events");
    auto stream = rest.substr(0, slash);
    std::vector<incoming_event> events;
    for (auto& p : split_events(req.body))
      events.push_back({"", std::move(p), v1::PAYLOAD_FORMAT_JSON});
    auto bytes = dispatcher::payload_bytes(events);
    if (auto refused = d.check(events.size(), bytes)) {
      d.probe().request_refused(refused.reason);
      return refusal_response(refused);
    }
    auto promise = std::make_shared<std::promise<v1::PublishResponse>>();
    auto answer = promise->get_future();
    auto job = std::make_shared<publish_job>(stream, std::move(events),
                                             [promise](v1::PublishResponse r) { promise->set_value(std::move(r)); });
    if (auto refused = d.submit(std::move(job), bytes))
      return refusal_response(refused);
    if (answer.wait_for(std::chrono::milliseconds(max_wait_ms)) != std::future_status::ready) {
      refusal late;
      late.what = refusal::kind::kafka_down;
      late.reason = reasons::kafka_unavailable;
      late.message = "Kafka did not acknowledge in time; the events may or may not have been taken: retry with the same event ids";
      late.retry_after_ms = d.gate().retry_after_ms();
      return refusal_response(late);
    }
    auto resp = answer.get();
    nlohmann::json results = nlohmann::json::array();
    bool retry = false;
    uint32_t retries = 0;
    for (const auto& r : resp.results()) {
      nlohmann::json item{{"index", r.index()}, {"event_id", r.event_id()}, {"status", status_name(r.status())}};
      if (!r.reason_code().empty()) {
        item["reason"] = r.reason_code();
        item["message"] = r.message();
      }
      if (r.status() == v1::EVENT_STATUS_ACCEPTED) {
        item["partition"] = r.partition();
        item["offset"] = r.offset();
      }
      if (r.status() == v1::EVENT_STATUS_RETRY) {
        retry = true;
        ++retries;
      }
      results.push_back(std::move(item));
    }
    nlohmann::json out{{"accepted", resp.accepted()}, {"rejected", resp.rejected()}, {"retry", retries},
                       {"results", std::move(results)}};
    http::response res;
    res.status = retry ? 503 : 200;
    if (retry)
      set_retry_after(res, d.gate().retry_after_ms());
    res.body = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return res;
  });
}

} // namespace freshet::ingest
