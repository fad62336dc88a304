#pragma once

#include <string>

namespace freshet::testing {

/// Writes `text` to `path` (creating folders); returns the path.
std::string write_file(const std::string& path, const std::string& text);

/// The whole content of a file, or "" if it cannot be read.
[[nodiscard]] std::string read_file(const std::string& path);

} // namespace freshet::testing
