#include "bench/stage_threads.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace freshet::bench::stage {

namespace {

/// utime + stime of one thread, in seconds, and its name; false when it is gone.
bool read_task(const std::filesystem::path& dir, thread_times::entry& e) {
  std::ifstream in{dir / "stat"};
  std::string stat;
  if (!std::getline(in, stat))
    return false;
  auto open = stat.find('(');
  auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos)
    return false;
  e.name = stat.substr(open + 1, close - open - 1);
  std::istringstream rest{stat.substr(close + 1)};
  std::string field;
  double ticks = 0;
  for (int f = 3; f <= 15 && rest >> field; ++f)
    if (f == 14 || f == 15)
      ticks += std::stod(field);
  e.cpu_s = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  return true;
}

} // namespace

thread_times read_thread_times() {
  thread_times t;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator{"/proc/self/task", ec}) {
    thread_times::entry e;
    if (read_task(dir.path(), e))
      t.by_tid[std::stoi(dir.path().filename().string())] = std::move(e);
  }
  return t;
}

int current_tid() {
  return static_cast<int>(syscall(SYS_gettid));
}

json cpu_by_thread(const thread_times& start, const thread_times& end, int pipeline_tid) {
  double pipeline = 0, rdkafka = 0, other = 0;
  for (const auto& [tid, e] : end.by_tid) {
    auto before = start.by_tid.find(tid);
    double spent = e.cpu_s - (before == start.by_tid.end() ? 0.0 : before->second.cpu_s);
    if (tid == pipeline_tid)
      pipeline += spent;
    else if (e.name.rfind("rdk:", 0) == 0)
      rdkafka += spent;
    else
      other += spent;
  }
  return {{"pipeline_thread", pipeline}, {"librdkafka_threads", rdkafka}, {"other_threads", other}};
}

} // namespace freshet::bench::stage
