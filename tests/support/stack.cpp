#include "tests/support/stack.hpp"

#include <thread>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace freshet::testing {

namespace {

struct state {
  std::string dir;
  std::string kafka_port, controller_port, redis_port;
  std::string bootstrap, redis;
  bool started = false;
};

state& st() {
  static state s;
  return s;
}

std::string scripts() {
  return std::string{FRESHET_SOURCE_DIR} + "/scripts/stack/";
}

std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[256];
    while (fgets(buf, sizeof buf, p))
      out += buf;
    pclose(p);
  }
  return out;
}

void must(const std::string& cmd) {
  if (run_shell(cmd) != 0) {
    std::fprintf(stderr, "test stack: command failed: %s\n", cmd.c_str());
    std::abort();
  }
}

void start_redis() {
  auto& s = st();
  must(scripts() + "redis-start " + s.dir + "/redis " + s.redis_port + " >&2");
}

void start_kafka() {
  auto& s = st();
  must(scripts() + "kafka-start " + s.dir + "/kafka " + s.kafka_port + " " + s.controller_port + " >&2");
}

} // namespace

std::vector<int> free_ports(int n) {
  std::istringstream in{capture(scripts() + "free-port " + std::to_string(n))};
  std::vector<int> out;
  int p = 0;
  while (in >> p)
    out.push_back(p);
  if (static_cast<int>(out.size()) != n)
    throw std::runtime_error("free-port did not give enough ports");
  return out;
}

int run_shell(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

void stack::start() {
  auto& s = st();
  if (s.started)
    return;
  char tmpl[] = "/tmp/freshet-test-XXXXXX";
  if (!mkdtemp(tmpl))
    throw std::runtime_error("mkdtemp failed");
  s.dir = tmpl;
  std::istringstream ports{capture(scripts() + "free-port 3")};
  ports >> s.kafka_port >> s.controller_port >> s.redis_port;
  if (s.redis_port.empty()) {
    std::fprintf(stderr, "test stack: free-port gave no ports\n");
    std::abort();
  }
  s.bootstrap = "127.0.0.1:" + s.kafka_port;
  s.redis = "127.0.0.1:" + s.redis_port;
  // In its own session, so that it outlives this process however it ends.
  must("setsid " + scripts() + "guard " + std::to_string(getpid()) + " " + s.dir + " </dev/null >/dev/null 2>&1 &");
  start_kafka();
  start_redis();
  s.started = true;
}

void stack::stop() {
  auto& s = st();
  if (!s.started)
    return;
  run_shell(scripts() + "kafka-stop " + s.dir + "/kafka >&2");
  run_shell(scripts() + "redis-stop " + s.dir + "/redis >&2");
  if (!std::getenv("FRESHET_KEEP_TEST_DIR")) {
    std::error_code ec;
    std::filesystem::remove_all(s.dir, ec);
  }
  s.started = false;
}

void stack::restart_kafka(bool crash, std::chrono::milliseconds down_for) {
  auto& s = st();
  run_shell(scripts() + "kafka-stop " + s.dir + "/kafka" + (crash ? " --kill" : "") + " >&2");
  std::this_thread::sleep_for(down_for);
  start_kafka();
}

void stack::restart_redis(bool crash) {
  auto& s = st();
  run_shell(scripts() + "redis-stop " + s.dir + "/redis" + (crash ? " --kill" : "") + " >&2");
  start_redis();
}

const std::string& stack::bootstrap() {
  return st().bootstrap;
}

const std::string& stack::redis_address() {
  return st().redis;
}

const std::string& stack::work_dir() {
  return st().dir;
}

} // namespace freshet::testing
