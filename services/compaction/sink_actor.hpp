#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "services/compaction/actors.hpp"
#include "services/compaction/lake_probe.hpp"
#include "services/compaction/lake_sink.hpp"

namespace freshet::compaction {

struct sink_actor_config {
  kafka::config_map consumer; ///< group id included; never transactional (the output is the Delta log)
  size_t max_batch = 5000;
  int poll_timeout_ms = 100;
  int resync_backoff_ms = 1000; ///< pause after a resync that failed (the lake is unreachable)
  lake_probe* probe = nullptr;  ///< outlives the actor
};

/// Spawns the consume loop around `sink` (its tables already open). See `lake_sink_actor`.
///
/// Resuming: on assignment, each partition is seeked to `lake_sink::start_offsets` once its first
/// records arrive (a seek right in the rebalance callback would race the fetcher), and records
/// before that point are dropped — so the group's committed offsets never decide what is written.
/// A failed commit, a storage error or lost partitions drop every open file and resync: tables
/// re-read, every assigned partition seeked again.
[[nodiscard]] result<lake_sink_actor> spawn_lake_sink(caf::actor_system& sys, std::unique_ptr<lake_sink> sink,
                                                      sink_actor_config cfg);

/// Sends `stop` and waits for the answer (bounded by `timeout_ms`). For `on_stop` hooks.
void stop_lake_sink(caf::actor_system& sys, const lake_sink_actor& actor, int timeout_ms);

} // namespace freshet::compaction
