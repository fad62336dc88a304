#pragma once

#include <memory>

#include <caf/actor_system.hpp>

#include "common/config/pipeline_spec.hpp"
#include "common/kafka/producer.hpp"
#include "common/schema/schema_source.hpp"
#include "services/ingest/actors.hpp"
#include "services/ingest/admission.hpp"
#include "services/ingest/catalog_holder.hpp"
#include "services/ingest/ingest_probe.hpp"
#include "services/ingest/payload_check.hpp"

namespace freshet::ingest {

/// What a publisher works with. Everything pointed to is owned by the application and outlives
/// the producer's last delivery callback.
struct publisher_deps {
  const config::pipeline_spec* spec = nullptr;
  std::shared_ptr<kafka::producer> producer;
  ingest_probe* probe = nullptr;
  kafka_health* health = nullptr;
  schema::schema_source* registry = nullptr; ///< null without a registry
  const catalog_holder* catalogs = nullptr;
  check_limits limits;
};

[[nodiscard]] publisher_actor spawn_publisher(caf::actor_system& sys, publisher_deps deps);

/// Extra DLQ header: how the original bytes are to be read ("json" or "avro").
inline constexpr const char* payload_format_header = "freshet.payload_format";

} // namespace freshet::ingest
