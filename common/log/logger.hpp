#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace freshet::log {

/// Output shape of every logger in the process.
enum class format { text, json };

/// Configures the process-wide sink once, before any logger is taken. Thread-safe afterwards.
/// `level` is an spdlog level name ("info", "debug", ...); `service` is stamped on every line.
void setup(std::string_view service, std::string_view level, format fmt);

/// A named logger ("kafka", "ingest.publisher", ...) sharing the process sink. Cheap to call repeatedly.
[[nodiscard]] std::shared_ptr<spdlog::logger> get(const std::string& name);

} // namespace freshet::log

/// Logs with source location, e.g. `FRESHET_LOG(info, logger_, "committed {} records", n)`.
#define FRESHET_LOG(lvl, logger, ...) SPDLOG_LOGGER_CALL((logger), spdlog::level::lvl, __VA_ARGS__)
