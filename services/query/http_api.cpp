#include "services/query/http_api.hpp"

#include <chrono>
#include <future>

#include <nlohmann/json.hpp>

namespace freshet::query {

namespace {

bool parse_ms(const std::string& text, int64_t& out) {
  if (text.empty()) {
    out = 0;
    return true;
  }
  try {
    size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

} // namespace

void add_http_routes(http::server& srv, ask_fn ask) {
  srv.route("GET", "/v1/counts", [ask](const http::request& req) {
    v1::GetEventCountsRequest q;
    int64_t from = 0, to = 0;
    if (!parse_ms(req.param("from"), from) || !parse_ms(req.param("to"), to))
      return http::json_error(400, 400, "from and to are epoch milliseconds");
    q.set_from_ms(from);
    q.set_to_ms(to);
    q.set_stream(req.param("stream"));
    auto promise = std::make_shared<std::promise<counts_answer>>();
    auto fut = promise->get_future();
    ask(std::move(q), [promise](counts_answer a) { promise->set_value(std::move(a)); });
    if (fut.wait_for(std::chrono::seconds(15)) != std::future_status::ready)
      return http::json_error(503, 503, "query timed out");
    auto a = fut.get();
    if (!a.ok)
      return http::json_error(503, 503, "serving store unavailable: " + a.error);
    nlohmann::json out{{"total", a.response.total()}, {"windows", nlohmann::json::array()}};
    out["total_by_stream"] = nlohmann::json::object();
    for (const auto& [stream, n] : a.response.total_by_stream())
      out["total_by_stream"][stream] = n;
    for (const auto& w : a.response.windows())
      out["windows"].push_back({{"window_start_ms", w.window_start_ms()},
                                {"window_end_ms", w.window_end_ms()},
                                {"stream", w.stream()},
                                {"count", w.count()}});
    http::response r;
    r.body = out.dump();
    return r;
  });
  srv.static_text("/", "text/html; charset=utf-8", dashboard_html());
  srv.route("GET", "/healthz", [](const http::request&) {
    http::response r;
    r.body = R"({"status":"ok"})";
    return r;
  });
}

} // namespace freshet::query
