#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/stream/stage_state.hpp"
#include "services/quality-gate/dedupe.hpp"

namespace freshet::quality_gate {

/// Event-id dedupe on the stage's exactly-once state: ids live in the input partition's state
/// (changelog-backed, restored on assignment), so a crash or a rebalance never forgets an id that
/// passed, nor remembers one whose transaction aborted.
///
/// Entry: "eid\x1f<stream>\x1f<id>" -> expiry (epoch ms). Expired entries are swept at most once a
/// minute per partition, erasing them through the state so the changelog compacts them away.
class state_dedupe final : public dedupe_step {
 public:
  /// Points at the state of the batch in hand; called by the stage's processor before the gate runs.
  void bind(stream::stage_state* state) { state_ = state; }

  result<bool> seen(const dedupe_key& key) override;
  void remember(const dedupe_key& key) override;

  /// Erases entries that expired before `now_ms` in partitions not swept for a minute.
  void sweep(int64_t now_ms);

 private:
  static std::string entry(const dedupe_key& key);

  stream::stage_state* state_ = nullptr;
  std::set<kafka::topic_partition> partitions_;
  std::map<kafka::topic_partition, int64_t> last_sweep_ms_;
};

} // namespace freshet::quality_gate
