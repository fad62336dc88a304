#include "services/ingest/application.hpp"

#include <caf/send.hpp>

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"
#include "common/schema/stream_schemas.hpp"
#include "services/ingest/http_api.hpp"
#include "services/ingest/publisher.hpp"

namespace freshet::ingest {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50051"},
    {"http.listen", "0.0.0.0:8080"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"http.threads", "8"},
    {"ingest.publishers", "2"},
    // Schemas: registered under "<stream>-value" at start; empty = the local .avsc files, id 0, no Avro input.
    {"registry.url", ""},
    {"registry.timeout_ms", "5000"},
    {"registry.startup_timeout_ms", "60000"},
    {"registry.refresh_ms", "30000"},
    // Limits. Events and batches over them are refused; the in-flight bound is the memory bound.
    {"ingest.max_event_bytes", "1048576"},
    {"ingest.max_event_id_bytes", "256"},
    {"ingest.max_batch_events", "10000"},
    {"ingest.max_batch_bytes", "16777216"},
    {"ingest.max_stream_events", "50000"},
    {"ingest.max_inflight_bytes", "67108864"},
    // Kafka: a record not acknowledged within the delivery timeout is answered RETRY; no
    // acknowledgement at all for stall_ms means Kafka is down (new requests: UNAVAILABLE).
    {"ingest.delivery_timeout_ms", "10000"},
    // How long the producer waits to fill a batch: longer = larger batches, less CPU per event on
    // ingest and the broker, at that much more latency (producer_config's 5 ms is the floor).
    {"ingest.linger_ms", "5"},
    {"ingest.stall_ms", "5000"},
    {"ingest.retry_after_ms", "1000"},
  };
}

status application::wire_schemas(service::runtime& rt) {
  const auto& s = rt.settings();
  auto logger = log::get("ingest");
  const auto& url = s.get("registry.url");
  std::shared_ptr<const schema::stream_catalog> catalog;
  if (url.empty()) {
    FRESHET_LOG(warn, logger,
                "registry.url is empty: using the local .avsc files with schema id 0; Avro payloads will be refused");
    auto local = schema::local_catalog(rt.spec());
    if (!local)
      return local.err();
    catalog = std::make_shared<const schema::stream_catalog>(std::move(*local));
  } else {
    auto timeout = static_cast<int>(s.get_int("registry.timeout_ms"));
    registry_ = std::make_unique<schema::cached_registry>(
      schema::client_options{url, timeout, std::min(timeout, 2000)});
    auto registered = schema::register_streams(rt.spec(), *registry_,
                                               {.give_up_after_ms = s.get_int("registry.startup_timeout_ms")});
    if (!registered)
      return registered.err();
    catalog = std::make_shared<const schema::stream_catalog>(std::move(*registered));
  }
  FRESHET_TRY(validate_streams(rt.spec(), *catalog));
  catalogs_ = std::make_unique<catalog_holder>(std::move(catalog));
  if (registry_ && s.get_int("registry.refresh_ms") > 0) {
    refresh_ = std::make_unique<schema_refresh>(*registry_, *catalogs_, s.get_int("registry.refresh_ms"));
    rt.on_stop("stop the schema refresh", [this] { refresh_->stop(); });
  }
  return {};
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  probe_ = std::make_unique<ingest_probe>(rt.metrics());
  FRESHET_TRY(wire_schemas(rt));

  // After a failed delivery, new requests are refused for as long as a stall takes to notice.
  health_ = std::make_unique<kafka_health>(s.get_int("ingest.stall_ms"), s.get_int("ingest.stall_ms"));
  admission_ = std::make_unique<admission>(s.get_int("ingest.max_inflight_bytes"), s.get_int("ingest.retry_after_ms"),
                                           health_.get());

  auto cfg = kafka::producer_config(s.get("kafka.bootstrap"), "ingest-" + rt.instance_id());
  cfg["message.timeout.ms"] = s.get("ingest.delivery_timeout_ms");
  cfg["linger.ms"] = s.get("ingest.linger_ms");
  auto producer = kafka::producer::create(cfg);
  if (!producer)
    return producer.err();
  producer_ = std::move(*producer);
  rt.on_stop("flush the producer", [this] {
    if (auto st = producer_->flush(15000); !st.ok())
      FRESHET_LOG(warn, log::get("ingest"), "flush at stop: {}", st.err().describe());
  });

  check_limits limits{static_cast<size_t>(s.get_int("ingest.max_event_bytes")),
                      static_cast<size_t>(s.get_int("ingest.max_event_id_bytes"))};
  for (int64_t i = 0; i < std::max<int64_t>(1, s.get_int("ingest.publishers")); ++i)
    publishers_.push_back(spawn_publisher(rt.system(), {&rt.spec(), producer_, probe_.get(), health_.get(),
                                                        registry_.get(), catalogs_.get(), limits}));
  rt.on_stop("stop the publishers", [this] {
    for (auto& p : publishers_)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  });

  batch_limits batches{static_cast<size_t>(s.get_int("ingest.max_batch_events")),
                       static_cast<size_t>(s.get_int("ingest.max_batch_bytes"))};
  dispatcher_ = std::make_unique<dispatcher>(publishers_, *admission_, *probe_, batches);
  grpc_ = std::make_unique<grpc_api>(*dispatcher_, static_cast<size_t>(s.get_int("ingest.max_stream_events")));
  rt.add_grpc_service(grpc_.get());

  // The body limit leaves room for JSON array punctuation around a batch at the byte limit.
  http_ = std::make_unique<http::server>(s.get("http.listen"), static_cast<int>(s.get_int("http.threads")),
                                         batches.max_bytes + batches.max_events * 8 + 1024);
  add_http_routes(*http_, *dispatcher_, s.get_int("ingest.delivery_timeout_ms") + 5000);
  FRESHET_TRY(http_->start());
  rt.on_stop("stop HTTP", [this] { http_->stop(); });
  return {};
}

} // namespace freshet::ingest
