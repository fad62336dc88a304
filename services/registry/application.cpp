#include "services/registry/application.hpp"

#include "common/kafka/admin.hpp"
#include "common/log/logger.hpp"
#include "services/registry/kafka_store.hpp"
#include "services/registry/memory_store.hpp"

namespace freshet::registry {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50101"},
    {"http.listen", "0.0.0.0:8081"},
    {"http.threads", "8"},
    {"metrics.listen", "0.0.0.0:9100"},
    // Level used while no global level is stored (PUT /config stores one).
    {"registry.compatibility", "BACKWARD"},
    // "kafka": the _schemas topic (role `schemas`); "memory": nothing survives a restart (development only).
    {"registry.store", "kafka"},
    // Shared by every replica of one registry; empty = "freshet-registry.<topic>".
    {"registry.transactional_id", ""},
    {"registry.write_timeout_ms", "30000"},
    // How long a request waits for a starting replica to load _schemas before answering 50002.
    {"registry.ready_wait_ms", "15000"},
  };
}

status application::wire_up(service::runtime& rt) {
  const auto& s = rt.settings();
  auto logger = log::get("registry");
  probe_ = std::make_unique<registry_probe>(rt.metrics());

  auto level = avro::parse_compat_level(s.get("registry.compatibility"));
  if (!level)
    return make_error(error_domain::config, 1, "registry.compatibility: unknown level '" + s.get("registry.compatibility") + "'");

  if (s.get("registry.store") == "kafka") {
    const auto* topic = rt.spec().topic("schemas");
    const auto& bootstrap = s.get("kafka.bootstrap");
    FRESHET_TRY(kafka::create_topics(bootstrap, {*topic}));
    if (auto parts = kafka::partition_count(bootstrap, topic->name); parts && *parts != 1)
      FRESHET_LOG(warn, logger, "{} has {} partitions: the registry writes partition 0 only (create it with 1)",
                  topic->name, *parts);
    kafka_store::options opts;
    opts.bootstrap = bootstrap;
    opts.topic = topic->name;
    opts.transactional_id = s.get("registry.transactional_id").empty() ? "freshet-registry." + topic->name
                                                                      : s.get("registry.transactional_id");
    opts.instance = rt.instance_id();
    opts.write_timeout = std::chrono::milliseconds(s.get_int("registry.write_timeout_ms"));
    auto store = kafka_store::create(std::move(opts), probe_.get());
    if (!store)
      return store.err();
    kafka_ = store->get();
    kafka_->start();
    store_ = std::move(*store);
    rt.on_stop("stop reading " + topic->name, [this] { kafka_->stop(); });
  } else if (s.get("registry.store") == "memory") {
    FRESHET_LOG(warn, logger, "registry.store=memory: schemas are lost when the process stops");
    store_ = std::make_unique<memory_store>();
    probe_->ready(true);
  } else {
    return make_error(error_domain::config, 1, "registry.store must be 'kafka' or 'memory'");
  }

  api_ = std::make_unique<rest_api>(
    *store_, probe_.get(), rest_api::options{*level, std::chrono::milliseconds(s.get_int("registry.ready_wait_ms"))});
  http_ = std::make_unique<http::server>(s.get("http.listen"), static_cast<int>(s.get_int("http.threads")));
  api_->install(*http_);
  FRESHET_TRY(http_->start());
  rt.on_stop("stop HTTP", [this] { http_->stop(); });
  FRESHET_LOG(info, logger, "schema registry listening on {}", s.get("http.listen"));
  return {};
}

} // namespace freshet::registry
