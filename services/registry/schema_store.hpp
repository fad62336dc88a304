#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "common/base/result.hpp"
#include "services/registry/records.hpp"
#include "services/registry/registry_state.hpp"

namespace freshet::registry {

/// Reads the state; runs under the store's read lock and must not block.
using state_reader = std::function<void(const registry_state&)>;

/// Decides a write from the state: the records to append (empty: nothing to write), or an error to
/// answer. May run more than once, each time on a fresher state; only its last run's side effects
/// (what it tells its caller) may count.
using write_planner = std::function<result<std::vector<store_record>>(const registry_state&)>;

/// Where the registry's state lives. Thread-safe: the REST handlers call it from many threads.
class schema_store {
 public:
  virtual ~schema_store() = default;

  /// Waits until the state holds everything written before the store started (a replica must not
  /// answer "not found" for a schema it has not read yet). `errc::operation_timeout` otherwise.
  [[nodiscard]] virtual status wait_ready(std::chrono::milliseconds timeout) = 0;

  /// Runs `fn` on a consistent state.
  virtual void read(const state_reader& fn) const = 0;

  /// Runs `plan` on a state that holds every write acknowledged by any replica, appends its
  /// records so that no other write comes between that state and them, and returns once the state
  /// holds them (read-your-writes). Errors: the planner's, or `errc::store_error` /
  /// `errc::operation_timeout` when the outcome is not known to be a success.
  [[nodiscard]] virtual status write(const write_planner& plan) = 0;
};

} // namespace freshet::registry
