#include "services/query/application.hpp"

#include <caf/send.hpp>

#include "services/query/http_api.hpp"
#include "services/query/reader.hpp"

namespace freshet::query {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50091"},
    {"http.listen", "0.0.0.0:8090"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"query.readers", "2"},
    // The built-in per-stream event counts, as the aggregate service keeps them.
    {"aggregate.window_ms", "10000"},
    {"aggregate.counts_allowed_lateness_ms", "3600000"},
    {"aggregate.counts_early_ms", "1000"},
    {"http.threads", "8"},
    // LakeService (time travel over the Delta tables the lake writer keeps).
    {"lake.dir", "build/lake"},
    {"lake.max_read_rows", "1000000"},
  };
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  auto declared = config::load_metrics_spec(rt.spec());
  if (!declared)
    return declared.err();
  auto catalog = std::make_shared<metric_catalog>();
  catalog->metrics.push_back(config::builtin_event_counts(s.get_int("aggregate.window_ms"),
                                                          s.get_int("aggregate.counts_allowed_lateness_ms"),
                                                          s.get_int("aggregate.counts_early_ms")));
  for (auto& m : declared->metrics)
    catalog->metrics.push_back(std::move(m));
  catalog_ = catalog;

  reader_config rc{s.get("redis.address"), rt.spec().name, s.get_int("aggregate.window_ms"), catalog_};
  for (int64_t i = 0; i < std::max<int64_t>(1, s.get_int("query.readers")); ++i)
    readers_.push_back(spawn_reader(rt.system(), rc));
  rt.on_stop("stop the readers", [this] {
    for (auto& r : readers_)
      caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
  });
  query_backend backend;
  backend.counts = [this, &rt](v1::GetEventCountsRequest req, std::function<void(counts_answer)> done) {
    auto& reader = readers_[next_reader_.fetch_add(1) % readers_.size()];
    ask_counts(rt.system(), reader, std::move(req), std::move(done));
  };
  backend.metric = [this, &rt](v1::QueryMetricRequest req, std::function<void(metric_answer)> done) {
    auto& reader = readers_[next_reader_.fetch_add(1) % readers_.size()];
    ask_metric(rt.system(), reader, std::move(req), std::move(done));
  };
  backend.list = [catalog = catalog_] { return list_metrics(*catalog); };
  grpc_ = std::make_unique<grpc_api>(backend);
  rt.add_grpc_service(grpc_.get());
  lake_ = std::make_unique<lake_api>(s.get("lake.dir"), static_cast<uint64_t>(s.get_int("lake.max_read_rows")));
  rt.add_grpc_service(lake_.get());
  http_ = std::make_unique<http::server>(s.get("http.listen"), static_cast<int>(s.get_int("http.threads")));
  add_http_routes(*http_, backend);
  FRESHET_TRY(http_->start());
  rt.on_stop("stop HTTP", [this] { http_->stop(); });
  return {};
}

} // namespace freshet::query
