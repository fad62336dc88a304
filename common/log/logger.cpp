#include "common/log/logger.hpp"

#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace freshet::log {

namespace {

std::mutex mtx;
spdlog::sink_ptr sink;
spdlog::level::level_enum level_ = spdlog::level::info;

void set_utc_pattern(const spdlog::sink_ptr& s, const std::string& pattern) {
  s->set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
}

spdlog::sink_ptr shared_sink() {
  std::lock_guard guard{mtx};
  if (!sink) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    set_utc_pattern(sink, "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v (%s:%#)");
  }
  return sink;
}

} // namespace

void setup(std::string_view service, std::string_view level, format fmt) {
  auto s = shared_sink();
  std::string svc{service};
  if (fmt == format::json) {
    // One JSON object per line; the message is the last field so that log shippers can split on it.
    set_utc_pattern(s, R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","service":")" + svc +
                   R"(","logger":"%n","src":"%s:%#","msg":"%v"})");
  } else {
    set_utc_pattern(s, "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ " + svc + " [%n] %v (%s:%#)");
  }
  level_ = spdlog::level::from_str(std::string{level});
  spdlog::set_level(level_);
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  if (auto existing = spdlog::get(name))
    return existing;
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink());
  logger->set_level(level_);
  logger->flush_on(spdlog::level::warn);
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name); // another thread registered it first
  }
  return logger;
}

} // namespace freshet::log
