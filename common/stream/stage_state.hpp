#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/kafka/record.hpp"

namespace freshet::stream {

/// A stateful stage's view of its state, partitioned by input partition and kept exactly once.
///
/// Reads see the committed state plus this transaction's own writes. Writes go to the changelog
/// topic (partition = the input partition) inside the stage's Kafka transaction and reach the local
/// store only when that transaction commits; an abort forgets them. When a partition is assigned,
/// its state is restored from the changelog before any of its records is processed.
/// Only the stage actor calls it, from inside its processor.
class stage_state {
 public:
  virtual ~stage_state() = default;
  [[nodiscard]] virtual result<std::optional<std::string>> get(const kafka::topic_partition& input,
                                                               std::string_view key) = 0;
  virtual void put(const kafka::topic_partition& input, std::string_view key, std::string value) = 0;
  virtual void erase(const kafka::topic_partition& input, std::string_view key) = 0;
  /// Visits the committed entries of one partition whose key starts with `prefix`.
  [[nodiscard]] virtual status scan(const kafka::topic_partition& input, std::string_view prefix,
                                    const std::function<bool(std::string_view, std::string_view)>& fn) = 0;

  /// For processors that keep state decoded in memory (e.g. window operators) next to the store:
  /// 0 when this instance does not hold `input`'s state (never assigned, or revoked); otherwise a
  /// number that changes whenever `input`'s committed state was reloaded (assignment, restore) or a
  /// transaction's writes were discarded (abort). Anything built from `get`/`scan` under another
  /// number must be rebuilt before it is used again, since the input has been rewound with it.
  [[nodiscard]] virtual uint64_t generation(const kafka::topic_partition& input) const {
    (void) input;
    return 1;
  }
  /// The partitions whose state this instance holds now (assigned and restored), so that a
  /// processor can act on partitions that deliver no records (timers, pending work after a restart).
  [[nodiscard]] virtual std::vector<kafka::topic_partition> held() const { return {}; }
};

} // namespace freshet::stream
