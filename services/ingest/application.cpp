#include "services/ingest/application.hpp"

#include <caf/send.hpp>

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"
#include "services/ingest/http_api.hpp"
#include "services/ingest/publisher.hpp"

namespace freshet::ingest {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50051"},
    {"http.listen", "0.0.0.0:8080"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"ingest.publishers", "2"},
    {"http.threads", "8"},
  };
}

void application::submit(std::shared_ptr<publish_job> job) {
  auto i = next_publisher_.fetch_add(1) % publishers_.size();
  caf::anon_send(publishers_[i], publish_atom::value, std::move(job));
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  probe_ = std::make_unique<ingest_probe>(rt.metrics());

  auto producer = kafka::producer::create(kafka::producer_config(s.get("kafka.bootstrap"), "ingest-" + rt.instance_id()));
  if (!producer)
    return producer.err();
  producer_ = std::move(*producer);
  rt.on_stop("flush the producer", [this] {
    if (auto st = producer_->flush(15000); !st.ok())
      FRESHET_LOG(warn, log::get("ingest"), "flush at stop: {}", st.err().describe());
  });

  for (int64_t i = 0; i < std::max<int64_t>(1, s.get_int("ingest.publishers")); ++i)
    publishers_.push_back(spawn_publisher(rt.system(), {&rt.spec(), producer_, probe_.get()}));
  rt.on_stop("stop the publishers", [this] {
    for (auto& p : publishers_)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  });

  grpc_ = std::make_unique<grpc_api>([this](std::shared_ptr<publish_job> job) { submit(std::move(job)); });
  rt.add_grpc_service(grpc_.get());

  http_ = std::make_unique<http::server>(s.get("http.listen"), static_cast<int>(s.get_int("http.threads")));
  add_http_routes(*http_, [this](std::shared_ptr<publish_job> job) { submit(std::move(job)); });
  FRESHET_TRY(http_->start());
  rt.on_stop("stop HTTP", [this] { http_->stop(); });
  return {};
}

} // namespace freshet::ingest
