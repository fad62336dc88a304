#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/record.hpp"
#include "common/stream/stage_state.hpp"
#include "common/window/window_operator.hpp"
#include "services/aggregate/metric_plan.hpp"

namespace freshet::aggregate {

/// One metric's window operator over one input partition.
struct operator_slot {
  std::unique_ptr<window::window_operator> op;
  /// The filter verdict for the event being applied; the operator's `filter` reads it.
  std::unique_ptr<bool> verdict = std::make_unique<bool>(true);
  window::output_batch out;       ///< what the operator produced during the current call
  window::operator_stats reported; ///< counters already handed to the probe
  uint64_t heartbeats = 0;        ///< idle advances since `reported`
  int64_t last_event_ms = 0;      ///< processing time of the partition's last real event
  bool touched = false;           ///< fed an event during the current call: its changes must be taken
};

/// Everything this instance holds for one partition of the enriched topic: one operator per metric
/// (the engine keeps state per group, so partitions — the unit of the changelog and of rebalancing —
/// get operators of their own) and the outbox of rollups not yet known to be in the serving store.
///
/// Layout in the stage state (per partition): "<metric>\x1f<operator record key>" for operator
/// records (the meta record is "<metric>\x1f"), and "~o\x1f<rollup key>" → Rollup bytes for the
/// outbox. Metric names cannot start with '~'.
struct partition_operators {
  kafka::topic_partition tp;
  uint64_t generation = 0;               ///< stage_state::generation it was built under
  std::vector<operator_slot> slots;      ///< by metric index
  std::map<std::string, uint64_t> outbox; ///< outbox key -> revision stored there
};

[[nodiscard]] std::string state_prefix(std::string_view metric);
[[nodiscard]] std::string outbox_key(std::string_view rollup_key);
inline constexpr std::string_view outbox_prefix = "~o\x1f";

/// What a rebuild found besides the operators: outbox rollups to serve again, records read.
struct rebuild_report {
  size_t records = 0;
  std::vector<std::string> resets; ///< metrics whose stored state did not fit their spec (dropped)
  std::vector<std::pair<std::string, std::string>> outbox; ///< outbox key, Rollup bytes
};

/// (Re)creates `p`'s operators from the committed state of its partition, assigns the partition to
/// them, and reads its outbox. State written under another spec of a metric is erased (through
/// `state`, so the erase commits with the next transaction) and the metric starts empty.
[[nodiscard]] result<rebuild_report> rebuild(partition_operators& p, std::span<const metric_plan> plans,
                                             stream::stage_state& state, int64_t now_ms);

} // namespace freshet::aggregate
