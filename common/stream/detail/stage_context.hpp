#pragma once

#include <map>
#include <functional>
#include <memory>
#include <set>
#include <vector>

#include <spdlog/logger.h>

#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/stream/stage.hpp"
#include "common/stream/detail/changelog_state.hpp"
#include "common/stream/stage_probe.hpp"

namespace freshet::stream::detail {

/// Everything a stage owns. Lives inside the stage actor's state; touched only by that actor
/// (the consumer's rebalance callbacks run inside its `poll_batch`, on the same thread).
struct stage_context {
  stage_config cfg;
  batch_processor process;       ///< set for stateless stages
  stateful_processor stateful;   ///< set for stateful stages, with `state`
  std::unique_ptr<changelog_state> state;
  std::unique_ptr<kafka::consumer> consumer;
  /// Creates and subscribes a consumer like the first one (same settings, same rebalance listener),
  /// for replacing one that hit a fatal error.
  std::function<result<std::unique_ptr<kafka::consumer>>()> make_consumer;
  std::unique_ptr<kafka::producer> producer;
  std::unique_ptr<stage_probe> probe;
  std::shared_ptr<spdlog::logger> logger;
  /// Partitions revoked during the current poll: their records in that batch are dropped (the new
  /// owner reads them from the committed offsets).
  std::set<kafka::topic_partition> revoked_in_poll;
  /// Set when the cycle rewound the consumer during the current poll (a revocation's commit failed
  /// and was aborted inside the rebalance callback): records the poll collected before the rewind
  /// come from positions past the aborted transaction.
  bool rewound_in_poll = false;
};

/// One way of running poll → process → produce → commit. Implementations differ in what a commit is.
class cycle {
 public:
  virtual ~cycle() = default;
  virtual void run_once() = 0;
  /// Before partitions go: finish (commit) what is open for them, or abort it when they are
  /// already `lost` to another member.
  virtual void on_revoke(const std::vector<kafka::topic_partition>& parts, bool lost) = 0;
  /// After partitions arrive (their state, if any, is restored before their records are processed).
  virtual void on_assign(const std::vector<kafka::topic_partition>&) {}
  /// On stop: commit what is open, or abort it.
  virtual void shutdown() = 0;
};

[[nodiscard]] std::unique_ptr<cycle> make_at_least_once_cycle(stage_context& ctx);
[[nodiscard]] std::unique_ptr<cycle> make_exactly_once_cycle(stage_context& ctx);

/// True for the consumer error after which it can do nothing more (librdkafka's __FATAL: e.g. a
/// static member fenced by its own rejoin after a broker outage longer than the session timeout).
[[nodiscard]] bool consumer_is_dead(const error& e);

/// Replaces a dead consumer (the cycle must have nothing open: closing the old one revokes its
/// partitions). The new one rejoins the group with the same static id and starts at the committed
/// offsets. False (logged) if it cannot be created yet: try again later.
[[nodiscard]] bool replace_consumer(stage_context& ctx);

/// Runs whichever processor the stage has. A stateful processor's state writes stay in the
/// stage state until the transaction commits (`changelog_state::take_changelog`).
[[nodiscard]] result<std::vector<kafka::outgoing_record>> run_processor(stage_context& ctx,
                                                                        const std::vector<kafka::consumed_record>& batch);

/// First offset and next offset per partition of a batch.
using batch_bounds = std::map<kafka::topic_partition, std::pair<int64_t, int64_t>>;
[[nodiscard]] batch_bounds bounds_of(const std::vector<kafka::consumed_record>& batch);

/// Polls a batch and drops records of partitions revoked during the poll.
[[nodiscard]] result<std::vector<kafka::consumed_record>> poll_owned(stage_context& ctx);

/// Enqueues every output, waiting out a full local queue; delivery failures are counted into
/// `failures`. Returns false on a non-retriable produce error.
[[nodiscard]] bool enqueue_all(stage_context& ctx, std::vector<kafka::outgoing_record>& outputs,
                               const std::shared_ptr<std::atomic<int>>& failures,
                               const std::function<void(const kafka::delivery_report&)>& delivered = {});

} // namespace freshet::stream::detail
