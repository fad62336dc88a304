#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace freshet::testing {

/// A child process (a service binary under test), its output appended to a log file.
/// The destructor kills it (SIGKILL) if it is still running.
class child_process {
 public:
  child_process(const std::string& binary, const std::vector<std::string>& args, const std::string& log_file,
                const std::map<std::string, std::string>& env = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int sig) const;
  /// Waits for exit; the exit code (or 128 + signal), or nothing on timeout.
  [[nodiscard]] std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  [[nodiscard]] const std::string& log_file() const { return log_; }

 private:
  pid_t pid_ = -1;
  std::string log_;
  std::optional<int> exit_;
};

/// The path of a Freshet binary in the build tree ("freshet-ingest").
[[nodiscard]] std::string binary_path(const std::string& name);

/// Polls `condition` every 100 ms until it holds or `timeout` passes.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    struct timespec ts{0, 100'000'000};
    nanosleep(&ts, nullptr);
  }
  return condition();
}

} // namespace freshet::testing

namespace freshet::testing {

/// The value of a Prometheus counter or gauge (summed over label sets) scraped from
/// http://127.0.0.1:<port>/metrics, or -1 when the endpoint does not answer.
[[nodiscard]] double scrape_metric(int port, const std::string& name);

} // namespace freshet::testing
