#pragma once

#include <string_view>

/// `freshet-admin optimize|zorder|vacuum`: Delta table maintenance from the command line, on
/// common/lake, safe beside a running `freshet-compaction` (see common/lake/README.md).
namespace freshet::admin {

/// True for the commands `run_maintenance_command` handles.
[[nodiscard]] bool is_maintenance_command(std::string_view command);

/// Runs `command` with the flags in argv[2..]; returns the process exit code (0 ok, 1 failed, 2 usage).
[[nodiscard]] int run_maintenance_command(std::string_view command, int argc, char** argv);

/// The usage lines of the maintenance commands.
[[nodiscard]] const char* maintenance_commands_usage();

} // namespace freshet::admin
