#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/http/server.hpp"
#include "common/kafka/producer.hpp"
#include "common/schema/cached_registry.hpp"
#include "common/service/runtime.hpp"
#include "services/ingest/actors.hpp"
#include "services/ingest/admission.hpp"
#include "services/ingest/catalog_holder.hpp"
#include "services/ingest/dispatcher.hpp"
#include "services/ingest/grpc_api.hpp"
#include "services/ingest/ingest_probe.hpp"
#include "services/ingest/schema_refresh.hpp"

namespace freshet::ingest {

/// The ingest service's parts, wired in dependency order: probe, schemas (registered with the
/// registry, or the local .avsc files without one), Kafka health and admission, producer,
/// publishers, dispatcher, gRPC, HTTP. Teardown (by the runtime, reversed): HTTP stops taking
/// requests, gRPC drains, publishers stop, the producer flushes what is in flight, the schema
/// refresh stops. Members are declared so that everything a delivery callback touches (probe,
/// health, jobs' admission) outlives the producer.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  [[nodiscard]] status wire_schemas(service::runtime& rt);

  std::unique_ptr<ingest_probe> probe_;
  std::unique_ptr<schema::cached_registry> registry_;
  std::unique_ptr<catalog_holder> catalogs_;
  std::unique_ptr<schema_refresh> refresh_;
  std::unique_ptr<kafka_health> health_;
  std::unique_ptr<admission> admission_;
  std::shared_ptr<kafka::producer> producer_;
  std::vector<publisher_actor> publishers_;
  std::unique_ptr<dispatcher> dispatcher_;
  std::unique_ptr<grpc_api> grpc_;
  std::unique_ptr<http::server> http_;
};

} // namespace freshet::ingest
