#pragma once

#include <memory>

#include <caf/actor_system.hpp>

#include "common/config/pipeline_spec.hpp"
#include "common/kafka/producer.hpp"
#include "services/ingest/actors.hpp"
#include "services/ingest/ingest_probe.hpp"

namespace freshet::ingest {

/// What a publisher works with; shared by every publisher instance.
struct publisher_deps {
  const config::pipeline_spec* spec = nullptr;
  std::shared_ptr<kafka::producer> producer;
  ingest_probe* probe = nullptr;
};

[[nodiscard]] publisher_actor spawn_publisher(caf::actor_system& sys, publisher_deps deps);

} // namespace freshet::ingest
