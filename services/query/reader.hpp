#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "services/query/actors.hpp"
#include "services/query/metric_query.hpp"

namespace freshet::query {

struct reader_config {
  std::string redis_address;
  std::string pipeline;
  int64_t window_ms = 10000; ///< the built-in event counts' window
  std::shared_ptr<const metric_catalog> catalog;
};

[[nodiscard]] reader_actor spawn_reader(caf::actor_system& sys, reader_config cfg);

/// Asks `reader` without blocking the caller; `done` runs on an actor thread with the answer.
void ask_counts(caf::actor_system& sys, const reader_actor& reader, v1::GetEventCountsRequest req,
                std::function<void(counts_answer)> done);
void ask_metric(caf::actor_system& sys, const reader_actor& reader, v1::QueryMetricRequest req,
                std::function<void(metric_answer)> done);

} // namespace freshet::query
