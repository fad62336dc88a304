#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "common/stream/stage_state.hpp"
#include "services/aggregate/aggregate_probe.hpp"
#include "services/aggregate/metric_plan.hpp"
#include "services/aggregate/partition_operators.hpp"
#include "services/aggregate/serving_writer.hpp"

namespace freshet::aggregate {

struct processor_options {
  std::string pipeline;
  std::string input_topic;   ///< the enriched topic (outbox entries are per partition of it)
  std::string rollups_topic;
  std::string late_topic;
  std::string dlq_topic;
  /// Stream name -> its `event_time` field (metrics without their own `event_time` use it).
  std::map<std::string, std::string, std::less<>> stream_event_time;
  /// Processing time (wall clock in the service; a test clock in tests).
  std::function<int64_t()> clock;
  /// Decodes an event's value (JSON today; Avro with the registry later).
  std::function<result<event::record>(const kafka::consumed_record&)> decode;
  size_t serving_backlog_limit = 200'000;
};

/// The aggregate stage's stateful processor: enriched events in; rollups, late events and operator
/// state out — all committed in one Kafka transaction by the stage runtime (`wire_stateful_stage`).
///
/// Per call (a polled batch, or an empty one when processing time passes — the stage's ticks):
/// 1. Partitions whose state generation changed (assignment, abort) get their operators rebuilt
///    from the committed state; revoked ones are forgotten.
/// 2. Each event is decoded and fed to the operator of every metric of its stream, for its
///    partition; an event too late for a metric goes to the late topic with its original bytes and
///    headers plus the metric and the windows it missed. Undecodable events go to the DLQ topic.
/// 3. Every operator gets processing time (early results); an idle partition's operators are moved
///    to the instance's watermark for their metric (min over the partitions that are not idle), so
///    a quiet partition does not keep its windows open forever.
/// 4. Emissions become `v1::Rollup` records on the rollups topic and outbox entries in the state;
///    the operators' changes are written to the state.
/// After the stage commits, `committed` writes the transaction's rollups to the serving store
/// (versioned: only higher revisions land); once written, their outbox entries are erased by a
/// later transaction. A crash between commit and write leaves them in the outbox, and whoever
/// rebuilds the partition next writes them again — so the serving store only ever sees committed
/// results, and sees all of them.
///
/// Owned by the stage actor: both entry points run on it, never concurrently.
class rollup_processor {
 public:
  rollup_processor(std::vector<metric_plan> plans, processor_options opts, serving_sink& sink,
                   aggregate_probe* probe = nullptr);

  [[nodiscard]] result<std::vector<kafka::outgoing_record>> process(const std::vector<kafka::consumed_record>& batch,
                                                                    stream::stage_state& state);
  /// The stage committed a transaction with these outputs.
  void committed(std::vector<kafka::outgoing_record>& outputs);

  [[nodiscard]] const std::vector<metric_plan>& plans() const { return plans_; }
  [[nodiscard]] size_t serving_backlog() const { return writer_.backlog(); }
  /// Partitions held right now (tests, metrics).
  [[nodiscard]] size_t partitions() const { return parts_.size(); }
  [[nodiscard]] const partition_operators* partition(int32_t p) const;

 private:
  result<partition_operators*> held(const kafka::consumed_record& rec, stream::stage_state& state, int64_t now);
  status refresh(stream::stage_state& state, int64_t now);
  status rebuild_partition(partition_operators& p, stream::stage_state& state, int64_t now);
  void apply(const kafka::consumed_record& rec, partition_operators& p, int64_t now,
             std::vector<kafka::outgoing_record>& out);
  void advance_idle(int64_t now);
  void drain(partition_operators& p, stream::stage_state& state, int64_t now, std::vector<kafka::outgoing_record>& out);
  void keep_replaces(stream::stage_state& state, const kafka::topic_partition& tp, const std::string& okey,
                     v1::Rollup& rollup);
  void take_served();
  void erase_served(stream::stage_state& state);
  void requeue_outbox(stream::stage_state& state);
  void late_record(const kafka::consumed_record& rec, const metric_plan& plan,
                   std::span<const window::late_event> late, std::vector<kafka::outgoing_record>& out) const;
  void dead_letter(const kafka::consumed_record& rec, const std::string& why, std::vector<kafka::outgoing_record>& out);
  void report(int64_t now);

  std::vector<metric_plan> plans_;
  processor_options opts_;
  aggregate_probe* probe_;
  serving_writer writer_;
  std::map<kafka::topic_partition, partition_operators> parts_;
  /// The rollups of the open transaction, in output order, kept decoded for `committed` (which
  /// would otherwise parse every one back from its bytes). Dropped when the transaction is
  /// discarded (any partition's state generation moved).
  struct uncommitted_rollup {
    int32_t partition;
    std::string outbox_key;
    v1::Rollup rollup;
  };
  std::vector<uncommitted_rollup> uncommitted_;
  /// Outbox entries known to be served (taken out of their partition's outbox at the start of a
  /// call), erased from the state at its end unless the call stored a newer rollup under the key.
  std::vector<std::pair<kafka::topic_partition, std::string>> served_;

  // Scratch, reused per event.
  std::vector<std::string> dim_text_;
  std::vector<std::string_view> dims_;
  std::vector<window::field_value> values_;
  std::vector<window::state_change> changes_;
};

} // namespace freshet::aggregate
