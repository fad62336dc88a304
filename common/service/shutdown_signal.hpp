#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace freshet::service {

/// Turns SIGTERM/SIGINT into an orderly stop.
///
/// `install` blocks both signals in the calling thread, so it must run before any other thread
/// starts (every later thread inherits the mask); a dedicated thread then waits for them. The first
/// signal wakes `wait`; a second one forces the process out at once with exit code 130.
class shutdown_signal {
 public:
  shutdown_signal() = default;
  ~shutdown_signal();

  void install();
  /// Blocks until a signal arrives or `trigger` is called.
  void wait();
  /// A programmatic stop (fatal error inside the service, or a test).
  void trigger();
  [[nodiscard]] bool triggered() const { return triggered_; }

 private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::atomic<bool> triggered_{false};
  std::thread waiter_;
};

} // namespace freshet::service
