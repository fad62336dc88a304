#pragma once

#include <string>

namespace freshet::lake::detail {

/// A random (version 4) UUID in its 36-character text form. Thread-safe.
[[nodiscard]] std::string new_uuid();

} // namespace freshet::lake::detail
