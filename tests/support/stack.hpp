#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace freshet::testing {

/// A real single-node Kafka broker (KRaft) and a real Redis server on free ports, started by the
/// project's scripts (scripts/stack/*) once per test binary and torn down at its end.
class stack {
 public:
  /// Starts both; aborts the test binary if either cannot start.
  static void start();
  static void stop();

  [[nodiscard]] static const std::string& bootstrap();     ///< "127.0.0.1:port"
  [[nodiscard]] static const std::string& redis_address(); ///< "127.0.0.1:port"
  [[nodiscard]] static const std::string& work_dir();      ///< scratch folder of this binary

  /// Stops the broker (SIGKILL when `crash`) and starts it again on the same data and ports.
  /// Stops the broker (SIGKILL when `crash`), leaves it down for `down_for`, starts it again.
  static void restart_kafka(bool crash, std::chrono::milliseconds down_for = std::chrono::milliseconds{0});
  /// Stops Redis (SIGKILL when `crash`) and starts it again on the same port. Redis keeps no data
  /// across the restart (persistence is off).
  static void restart_redis(bool crash);
};

/// `n` distinct free TCP ports on 127.0.0.1.
[[nodiscard]] std::vector<int> free_ports(int n);

/// Runs a shell command; returns its exit status.
int run_shell(const std::string& command);

} // namespace freshet::testing
