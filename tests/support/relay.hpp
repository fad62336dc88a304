#pragma once

#include <memory>
#include <string>

#include "tests/support/process.hpp"

namespace freshet::testing {

/// How to run `freshet-test-relay` (the stage runtime with a pass-through or counting processor).
struct relay_options {
  std::string input, output, group, instance;
  std::string delivery = "exactly_once"; ///< or "at_least_once"
  std::string mode = "pass";             ///< or "count" (stateful)
};

struct relay_process {
  std::unique_ptr<child_process> proc;
  int metrics_port = 0;

  /// Waits until the relay has committed at least once since it started (so a kill lands while it
  /// is really working, not while it is still joining the group).
  [[nodiscard]] bool wait_until_committing(std::chrono::milliseconds timeout) const;
};

[[nodiscard]] relay_process start_relay(const relay_options& opts);

} // namespace freshet::testing
