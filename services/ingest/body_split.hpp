#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace freshet::ingest {

/// Splits an HTTP request body into event payloads, each exactly the bytes the client sent (so a
/// dead letter carries what was really received, not a re-serialisation):
/// - a JSON array: its top-level elements, trimmed of surrounding whitespace;
/// - anything else: JSON lines, one event per non-blank line ('\r' before '\n' dropped).
/// A body that starts with '[' but is not one well-formed top-level array (unbalanced brackets,
/// text after the ']') is read as JSON lines, so its broken parts become rejectable events.
/// Element contents are not validated here: a malformed element is an event like any other.
[[nodiscard]] std::vector<std::string> split_events(std::string_view body);

} // namespace freshet::ingest
