#pragma once

#include <memory>

#include <caf/actor_system.hpp>

#include "services/compaction/actors.hpp"
#include "services/compaction/maintenance.hpp"

namespace freshet::compaction {

/// Spawns the maintenance actor around `m`: its first round after `interval_ms`, then every
/// `interval_ms` after a round ends (rounds never overlap). Detached: rounds block on file I/O.
[[nodiscard]] maintenance_actor spawn_maintenance(caf::actor_system& sys, std::unique_ptr<maintenance> m,
                                                  int64_t interval_ms);

/// Sends `stop` and waits for the answer (bounded by `timeout_ms`). For `on_stop` hooks.
void stop_maintenance(caf::actor_system& sys, const maintenance_actor& actor, int timeout_ms);

} // namespace freshet::compaction
