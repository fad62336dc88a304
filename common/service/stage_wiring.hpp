#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"

namespace freshet::service {

/// What a service says about its stage; the platform settings fill in the rest.
struct stage_wiring {
  std::string name;                 ///< "quality-gate"
  std::vector<std::string> inputs;  ///< topic names
  bool produces = true;             ///< false for stages whose output leaves Kafka (e.g. to Redis)
  stream::delivery_mode delivery = stream::delivery_mode::exactly_once;
  /// Passed on to `stream::stage_config` (exactly-once stages): see there.
  std::function<void(std::vector<kafka::outgoing_record>& committed)> on_committed = {};
  int tick_interval_ms = 0;
};

/// Spawns the service's stage with the platform's Kafka settings: consumer group `kafka.group`,
/// transactional id `<kafka.group>-<service.instance>` (so keep `service.instance` stable across
/// restarts of one replica, e.g. the pod name), static group membership with the same id (a
/// restarted replica gets its partitions back without a rebalance; a replica that goes away for
/// good hands them over after the session timeout), commit interval `stage.commit_interval_ms`.
/// A fenced stage stops the process; SIGTERM commits the open transaction and leaves the group.
[[nodiscard]] result<stream::stage_actor> wire_stage(runtime& rt, stage_wiring wiring,
                                                     stream::batch_processor process);

/// Spawns a stateful stage: as above, plus a compacted changelog topic `<kafka.group>-changelog`
/// (created if missing, with as many partitions as the widest input) and a RocksDB cache under
/// `state.dir`/<kafka.group>/<service.instance>.
[[nodiscard]] result<stream::stage_actor> wire_stateful_stage(runtime& rt, stage_wiring wiring,
                                                              stream::stateful_processor process);

/// The settings `wire_stage` reads, with defaults; merge into a service's `defaults()`.
[[nodiscard]] std::map<std::string, std::string> stage_defaults(const std::string& group);

} // namespace freshet::service
