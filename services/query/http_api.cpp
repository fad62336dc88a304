#include "services/query/http_api.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <optional>
#include <sstream>

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

/// Waits for an asynchronous answer (HTTP handlers run on the server's worker threads).
template <class Answer, class Ask, class Req>
std::optional<Answer> wait_for(const Ask& ask, Req req) {
  auto promise = std::make_shared<std::promise<Answer>>();
  auto fut = promise->get_future();
  ask(std::move(req), [promise](Answer a) { promise->set_value(std::move(a)); });
  if (fut.wait_for(std::chrono::seconds(15)) != std::future_status::ready)
    return std::nullopt;
  return fut.get();
}

std::string quantile_name(double q) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%g", q * 100.0);
  std::string s{buf};
  for (auto& c : s)
    if (c == '.')
      c = '_';
  return s;
}

nlohmann::json value_json(const v1::AggregateValue& v) {
  switch (v.value_case()) {
    case v1::AggregateValue::kIntValue: return v.int_value();
    case v1::AggregateValue::kRealValue:
      return std::isfinite(v.real_value()) ? nlohmann::json(v.real_value()) : nlohmann::json(nullptr);
    case v1::AggregateValue::kQuantiles: {
      auto out = nlohmann::json::object();
      for (const auto& q : v.quantiles().values())
        out[quantile_name(q.q())] = std::isfinite(q.value()) ? nlohmann::json(q.value()) : nlohmann::json(nullptr);
      return out;
    }
    case v1::AggregateValue::kTopK: {
      auto out = nlohmann::json::array();
      for (const auto& e : v.top_k().entries())
        out.push_back({{"item", e.item()}, {"count", e.count()}, {"error", e.error()}});
      return out;
    }
    default: return nullptr;
  }
}

} // namespace

nlohmann::json to_json(const v1::QueryMetricResponse& r) {
  nlohmann::json out{{"metric", r.metric()},
                     {"window_type", r.window_type()},
                     {"dim_names", r.dim_names()},
                     {"truncated", r.truncated()},
                     {"rows", nlohmann::json::array()}};
  for (const auto& row : r.rows()) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& v : row.values())
      values[v.name()] = value_json(v);
    nlohmann::json j{{"dims", row.dims()},
                     {"window_start_ms", row.window_start_ms()},
                     {"window_end_ms", row.window_end_ms()},
                     {"final", row.final()},
                     {"parts", row.parts()},
                     {"revision", row.revision()},
                     {"values", std::move(values)}};
    out["rows"].push_back(std::move(j));
  }
  return out;
}

void add_http_routes(http::server& srv, query_backend backend) {
  srv.route("GET", "/v1/counts", [backend](const http::request& req) {
    v1::GetEventCountsRequest q;
    int64_t from = 0, to = 0;
    if (!parse_ms(req.param("from"), from) || !parse_ms(req.param("to"), to))
      return http::json_error(400, 400, "from and to are epoch milliseconds");
    q.set_from_ms(from);
    q.set_to_ms(to);
    q.set_stream(req.param("stream"));
    auto a = wait_for<counts_answer>(backend.counts, std::move(q));
    if (!a)
      return http::json_error(503, 503, "query timed out");
    if (!a->ok)
      return http::json_error(503, 503, "serving store unavailable: " + a->error);
    nlohmann::json out{{"total", a->response.total()}, {"windows", nlohmann::json::array()}};
    out["total_by_stream"] = nlohmann::json::object();
    for (const auto& [stream, n] : a->response.total_by_stream())
      out["total_by_stream"][stream] = n;
    for (const auto& w : a->response.windows())
      out["windows"].push_back({{"window_start_ms", w.window_start_ms()},
                                {"window_end_ms", w.window_end_ms()},
                                {"stream", w.stream()},
                                {"count", w.count()}});
    http::response r;
    r.body = out.dump();
    return r;
  });
  srv.route("GET", "/v1/metrics", [backend](const http::request&) {
    auto list = backend.list();
    nlohmann::json out{{"metrics", nlohmann::json::array()}};
    for (const auto& m : list.metrics())
      out["metrics"].push_back({{"name", m.name()},
                                {"stream", m.stream()},
                                {"group_by", m.group_by()},
                                {"aggregations", m.aggregations()},
                                {"window_type", m.window_type()},
                                {"size_ms", m.size_ms()},
                                {"hop_ms", m.hop_ms()},
                                {"gap_ms", m.gap_ms()},
                                {"allowed_lateness_ms", m.allowed_lateness_ms()},
                                {"early_every_ms", m.early_every_ms()},
                                {"builtin", m.builtin()}});
    http::response r;
    r.body = out.dump();
    return r;
  });
  srv.route("GET", "/v1/metrics/*", [backend](const http::request& req) {
    v1::QueryMetricRequest q;
    q.set_metric(req.path.substr(std::string_view{"/v1/metrics/"}.size()));
    int64_t from = 0, to = 0, limit = 0;
    if (!parse_ms(req.param("from"), from) || !parse_ms(req.param("to"), to) || !parse_ms(req.param("limit"), limit) ||
        limit < 0)
      return http::json_error(400, 400, "from, to and limit are integers (epoch milliseconds for from and to)");
    q.set_from_ms(from);
    q.set_to_ms(to);
    q.set_limit(static_cast<uint32_t>(std::min<int64_t>(limit, 1'000'000)));
    q.set_merge_windows(req.param("merge") == "true" || req.param("merge") == "1");
    q.set_include_state(req.param("state") == "true" || req.param("state") == "1");
    std::stringstream groups{req.param("group_by")};
    for (std::string g; std::getline(groups, g, ',');)
      if (!g.empty())
        q.add_group_by(g);
    // dim.<field>=<value> filters; the raw query string keeps every parameter name.
    std::stringstream params{req.query};
    for (std::string kv; std::getline(params, kv, '&');) {
      auto eq = kv.find('=');
      auto name = http::url_decode(kv.substr(0, eq), true);
      if (name.starts_with("dim.") && eq != std::string::npos)
        (*q.mutable_dims())[name.substr(4)] = http::url_decode(kv.substr(eq + 1), true);
    }
    auto a = wait_for<metric_answer>(backend.metric, std::move(q));
    if (!a)
      return http::json_error(503, 503, "query timed out");
    switch (a->status) {
      case metric_answer::code::ok: break;
      case metric_answer::code::invalid_argument: return http::json_error(400, 400, a->error);
      case metric_answer::code::not_found: return http::json_error(404, 404, a->error);
      case metric_answer::code::unavailable: return http::json_error(503, 503, "serving store unavailable: " + a->error);
    }
    http::response r;
    r.body = to_json(a->response).dump();
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
