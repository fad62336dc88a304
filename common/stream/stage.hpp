#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"
#include "common/state/kv_store.hpp"
#include "common/stream/stage_state.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace freshet::stream {

using poll_atom = caf::atom_constant<caf::atom("poll")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

/// A consume-process-produce stage running on its own (detached) actor.
///
/// `poll` runs one cycle and re-arms itself; `stop` finishes the cycle in hand, commits, leaves the
/// consumer group and answers `true` once nothing is in flight.
using stage_actor = caf::typed_actor<caf::reacts_to<poll_atom>, caf::replies_to<stop_atom>::with<bool>>;

/// Turns one polled batch into the records to produce. Records it cannot handle become outputs to a
/// dead-letter topic (never exceptions). An error return means "retry this batch later" (e.g. a
/// downstream store is unavailable): the stage rewinds and polls the same records again.
using batch_processor =
  std::function<result<std::vector<kafka::outgoing_record>>(const std::vector<kafka::consumed_record>&)>;

/// A processor that also keeps per-partition state (exactly-once stages only): what it writes to
/// `state` commits with its outputs and offsets, or not at all.
using stateful_processor = std::function<result<std::vector<kafka::outgoing_record>>(
  const std::vector<kafka::consumed_record>&, stage_state& state)>;

/// How a stage hands its results on.
enum class delivery_mode {
  /// Outputs, offsets and (via the processor) side effects commit atomically in one Kafka
  /// transaction per batch window; a `read_committed` reader sees every input's outputs once.
  exactly_once,
  /// Outputs are acknowledged before offsets are committed; after a crash some are produced again.
  /// For stages whose only effect is idempotent or outside Kafka.
  at_least_once,
};

struct stage_config {
  std::string name;                 ///< stage name for logs and metrics ("quality-gate")
  std::vector<std::string> inputs;  ///< topics to consume
  kafka::config_map consumer;       ///< full consumer settings (group id included)
  kafka::config_map producer;       ///< full producer settings; empty when the stage produces nothing
  delivery_mode delivery = delivery_mode::exactly_once;
  /// exactly_once: a stable id per instance, so that a restarted instance fences its predecessor.
  std::string transactional_id;
  int commit_interval_ms = 100;     ///< a transaction commits at least this often...
  size_t max_txn_records = 50000;   ///< ...or once it holds this many input records (exactly_once)
  size_t max_batch = 5000;          ///< records per poll (at_least_once: per offset commit)
  int poll_timeout_ms = 50;
  int transaction_timeout_ms = 10000; ///< for each commit/abort/send_offsets call
  /// Stateful stages: the compacted changelog topic (as many partitions as the inputs) and the
  /// local store that caches it.
  std::string changelog_topic;
  std::function<result<std::unique_ptr<state::kv_store>>()> open_store;
  /// Called once when the stage cannot go on (its producer was fenced by a newer instance with
  /// the same transactional id): the owner should stop the process.
  std::function<void(const std::string& why)> on_fatal;
  /// exactly_once: called on the stage actor after each successful commit with the outputs of the
  /// transaction just committed (changelog records left out), for side effects that may only see
  /// committed results (e.g. a serving store). Not called for aborted transactions.
  std::function<void(std::vector<kafka::outgoing_record>& committed)> on_committed;
  /// exactly_once: when > 0, the processor is also called with an empty batch once a poll returned
  /// nothing and this long passed since it last ran, for processors that act on processing time
  /// (timers, idle inputs). A transaction opens only if that call returns outputs.
  int tick_interval_ms = 0;
};

/// Spawns the stage; see `delivery_mode` for what a commit means.
[[nodiscard]] result<stage_actor> spawn_stage(caf::actor_system& sys, stage_config cfg, batch_processor process,
                                              prometheus::Registry& metrics);

/// Spawns a stateful stage (exactly-once, with `changelog_topic` and `open_store` set).
[[nodiscard]] result<stage_actor> spawn_stage(caf::actor_system& sys, stage_config cfg, stateful_processor process,
                                              prometheus::Registry& metrics);

/// Sends `stop` and waits for the answer (bounded by `timeout_ms`). For `on_stop` hooks.
void stop_stage(caf::actor_system& sys, const stage_actor& stage, int timeout_ms);

} // namespace freshet::stream
