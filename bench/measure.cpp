#include "bench/measure.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace freshet::bench {

namespace {

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

double own_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return seconds_of(ru.ru_utime) + seconds_of(ru.ru_stime);
}

/// CPU of another process (all its threads) from /proc/<pid>/stat; negative when unknown.
double other_cpu_s(int pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat;
  if (!std::getline(in, stat))
    return -1;
  // Field 2 (the command name) may hold spaces; everything after its ')' is space-separated.
  auto paren = stat.rfind(')');
  if (paren == std::string::npos)
    return -1;
  std::istringstream rest{stat.substr(paren + 1)};
  std::string field;
  double ticks = 0;
  for (int f = 3; f <= 15 && rest >> field; ++f)
    if (f == 14 || f == 15) // utime, stime
      ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string first_value_of(const std::string& path, const std::string& key) {
  std::ifstream in{path};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) {
      auto value = line.find_first_not_of(" \t:", key.size());
      return value == std::string::npos ? "" : line.substr(value);
    }
  return "unknown";
}

} // namespace

double seconds_between(clk::time_point a, clk::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

meters read_meters(int broker_pid) {
  return {clk::now(), own_cpu_s(), other_cpu_s(broker_pid)};
}

measurement between(const meters& start, const meters& end, int64_t events) {
  measurement m;
  m.events = events;
  m.seconds = seconds_between(start.wall, end.wall);
  m.cpu_s = end.cpu - start.cpu;
  if (start.broker_cpu >= 0 && end.broker_cpu >= 0)
    m.broker_cpu_s = end.broker_cpu - start.broker_cpu;
  return m;
}

double rate(const measurement& m) {
  return static_cast<double>(m.events) / m.seconds;
}

double per_million(double cpu_s, int64_t events) {
  return cpu_s * 1e6 / static_cast<double>(events);
}

measurement median_run(std::vector<measurement> rounds) {
  std::sort(rounds.begin(), rounds.end(), [](const auto& a, const auto& b) { return rate(a) < rate(b); });
  json rates = json::array();
  for (const auto& r : rounds)
    rates.push_back(rate(r));
  auto m = rounds[rounds.size() / 2];
  m.details["rounds"] = rounds.size();
  m.details["events_per_s_rounds"] = rates;
  m.details["spread"] = (rate(rounds.back()) - rate(rounds.front())) / rate(m);
  return m;
}

json result_json(const measurement& m, int64_t event_bytes) {
  auto or_null = [](double v) { return v >= 0 ? json(v) : json(nullptr); };
  json j;
  j["events"] = m.events;
  j["event_bytes"] = event_bytes;
  j["seconds"] = m.seconds;
  j["events_per_s"] = rate(m);
  j["mb_per_s"] = static_cast<double>(m.events * event_bytes) / m.seconds / 1e6;
  j["cpu_s"] = m.cpu_s;
  j["cpu_s_per_million"] = per_million(m.cpu_s, m.events);
  j["broker_cpu_s"] = or_null(m.broker_cpu_s);
  j["broker_cpu_s_per_million"] = or_null(m.broker_cpu_s >= 0 ? per_million(m.broker_cpu_s, m.events) : -1);
  for (const auto& [k, v] : m.details.items())
    j[k] = v;
  return j;
}

double load_average_1m() {
  double load = -1;
  std::ifstream{"/proc/loadavg"} >> load;
  return load;
}

json machine_json() {
  utsname u{};
  uname(&u);
  json j;
  j["cores"] = std::thread::hardware_concurrency();
  j["cpu_model"] = first_value_of("/proc/cpuinfo", "model name");
  j["memory_gb"] = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e9;
  j["kernel"] = std::string{u.sysname} + " " + u.release;
  return j;
}

} // namespace freshet::bench
