#include "common/service/shutdown_signal.hpp"

#include <csignal>
#include <unistd.h>

namespace freshet::service {

shutdown_signal::~shutdown_signal() {
  if (waiter_.joinable())
    waiter_.detach(); // blocked in sigwait; the process is ending
}

void shutdown_signal::install() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  waiter_ = std::thread{[this, set] {
    while (true) {
      int sig = 0;
      if (sigwait(&set, &sig) != 0)
        continue;
      if (triggered_.exchange(true))
        _exit(130); // second signal: the operator wants out now
      trigger();
    }
  }};
}

void shutdown_signal::wait() {
  std::unique_lock lock{mtx_};
  cv_.wait(lock, [this] { return triggered_.load(); });
}

void shutdown_signal::trigger() {
  {
    std::lock_guard guard{mtx_};
    triggered_ = true;
  }
  cv_.notify_all();
}

} // namespace freshet::service
