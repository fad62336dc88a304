#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

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
};

} // namespace freshet::stream
