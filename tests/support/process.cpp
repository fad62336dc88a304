#include "tests/support/process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace freshet::testing {

std::string binary_path(const std::string& name) {
  return std::string{FRESHET_BIN_DIR} + "/" + name;
}

child_process::child_process(const std::string& binary, const std::vector<std::string>& args,
                             const std::string& log_file, const std::map<std::string, std::string>& env)
    : log_(log_file) {
  std::vector<std::string> owned{binary};
  owned.insert(owned.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    for (const auto& [k, v] : env)
      setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : owned)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

child_process::~child_process() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    (void) wait(std::chrono::seconds(10));
  }
}

void child_process::signal(int sig) const {
  if (pid_ > 0)
    ::kill(pid_, sig);
}

bool child_process::running() {
  if (exit_ || pid_ <= 0)
    return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_;
}

} // namespace freshet::testing

namespace freshet::testing {

double scrape_metric(int port, const std::string& name) {
  auto cmd = "curl -s --max-time 2 http://127.0.0.1:" + std::to_string(port) + "/metrics";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p)
    return -1;
  std::string text;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    text.append(buf, n);
  if (pclose(p) != 0 || text.empty())
    return -1;
  double total = 0;
  size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    auto after = pos + name.size();
    if (line_start && after < text.size() && (text[after] == '{' || text[after] == ' ')) {
      auto eol = text.find('\n', after);
      auto line = text.substr(after, eol - after);
      total += std::stod(line.substr(line.rfind(' ') + 1));
    }
    pos = after;
  }
  return total;
}

} // namespace freshet::testing
