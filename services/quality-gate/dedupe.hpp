#pragma once

#include <cstdint>
#include <string_view>

#include "common/base/result.hpp"
#include "common/kafka/record.hpp"

namespace freshet::quality_gate {

/// The id of one event under its stream's `unique` expectation.
struct dedupe_key {
  /// State is kept per input partition: retries of one event carry the same key (the stream's key
  /// field) and so land on the same partition of the raw topic.
  kafka::topic_partition input;
  std::string_view stream;
  std::string_view id;
  int64_t at_ms = 0;     ///< the event's reference time (receipt time when known)
  int64_t window_ms = 0; ///< the expectation's dedupe_window
};

/// The gate's uniqueness step: one call per decoded event of a stream with a `unique`
/// expectation, before its other checks, in input order, from the stage actor only.
///
/// Implementations keep exactly-once state: reads see this transaction's own writes, writes commit
/// with the stage's Kafka transaction (changelog) and vanish when it aborts. The gate calls
/// `remember` only for events that go to the valid topic, so an event quarantined on its first try
/// can still pass when the client retries it fixed.
class dedupe_step {
 public:
  virtual ~dedupe_step() = default;
  /// Whether an event with this id passed within the window. An error makes the stage retry the batch.
  [[nodiscard]] virtual result<bool> seen(const dedupe_key& key) = 0;
  /// The event passes: remember its id until `at_ms + window_ms`.
  virtual void remember(const dedupe_key& key) = 0;
};

} // namespace freshet::quality_gate
