#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/base/result.hpp"
#include "common/config/settings.hpp"
#include "common/lake/table.hpp"

/// `freshet-admin lake-tables|lake-history|lake-read|backfill` (lake_read_commands.cpp,
/// backfill_command.cpp): reading Delta tables and replaying them into a topic.
namespace freshet::admin {

/// True for lake-tables, lake-history, lake-read and backfill.
[[nodiscard]] bool is_lake_command(const std::string& command);
/// Runs `command`; argv[0] is the command, flags follow. Returns the exit code.
[[nodiscard]] int run_lake_command(const std::string& command, int argc, const char* const* argv);
/// The settings the lake commands take, with their defaults.
[[nodiscard]] std::map<std::string, std::string> lake_command_defaults();

/// Epoch milliseconds, or an ISO 8601 date / date-time (UTC or with an offset); nullopt otherwise.
[[nodiscard]] std::optional<int64_t> parse_time_ms(const std::string& text);
/// The version `--<prefix>version` or `--<prefix>ts` (`--timestamp` without a prefix) selects on
/// `t`; nullopt when neither is given.
[[nodiscard]] result<std::optional<int64_t>> selected_version(const config::settings& s, const lake::table& t,
                                                              const std::string& prefix);

/// backfill_command.cpp
[[nodiscard]] int backfill(const config::settings& s);

} // namespace freshet::admin
