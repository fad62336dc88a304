#pragma once

#include <string>
#include <string_view>

#include "common/base/result.hpp"

namespace freshet::lake {

/// Reason codes of `freshet::lake`. They travel as `error::code` with `error_domain::io` (the base
/// library has no lake domain); the numbers start at 1000 so they never meet an errno there.
enum class errc : int {
  /// Put-if-absent lost: another writer created that log file first. `commit` retries these itself;
  /// callers see it only when the retries run out.
  version_taken = 1000,
  /// A concurrent commit made ours invalid: it moved a `txn` appId we depend on, removed a file we
  /// remove, or changed the metadata or protocol. Not retriable: re-read the table and start over.
  conflict = 1001,
  not_a_table = 1002,        ///< no `_delta_log` commits at all
  version_not_found = 1003,  ///< time travel to a version (or timestamp) the log no longer/never had
  malformed_log = 1004,      ///< a commit, checkpoint or `_last_checkpoint` that is not what the protocol says
  unsupported = 1005,        ///< a protocol version or feature this library does not implement
  storage = 1006,            ///< the file system said no (message has the errno text)
  invalid_argument = 1007,   ///< API misuse: empty commit, bad schema, unmappable type
  schema_mismatch = 1008,    ///< a record that does not fit the table schema
};

[[nodiscard]] const char* to_string(errc e);

/// An error of this library; `retriable` for storage errors that may pass (EAGAIN, EINTR, ENOSPC...).
[[nodiscard]] error make_lake_error(errc e, std::string message, bool retriable = false);

/// True when `err` is this library's `e`.
[[nodiscard]] bool is(const error& err, errc e);

} // namespace freshet::lake
