#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::lake {

/// One file of `_delta_log`.
struct log_entry {
  std::string name;
  uint64_t size = 0;
  int64_t modified_ms = 0; ///< the file's modification time: a commit's timestamp (PROTOCOL.md)
};

/// The storage of one table's `_delta_log`: what the protocol needs from a file system.
///
/// The one hard requirement is `put_if_absent` — "writers MUST never overwrite an existing log
/// entry" — which is what makes a commit atomic and serializes concurrent writers: of two writers
/// creating version N, exactly one succeeds. On a local or mounted POSIX file system that is
/// `link(2)` of a fully written temp file (`local_log_store`). Object stores need a conditional put
/// (S3 `If-None-Match: *`, GCS `ifGenerationMatch=0`, Azure `If-None-Match`) or an external commit
/// coordinator; such a store implements this same interface.
///
/// Implementations are thread-safe and safe across processes.
class log_store {
 public:
  virtual ~log_store() = default;

  /// Creates `name` holding `bytes` unless it exists. Readers see the whole file or nothing, also
  /// after a crash. Losing the race is `errc::version_taken`.
  [[nodiscard]] virtual status put_if_absent(const std::string& name, std::string_view bytes) = 0;
  /// Creates or replaces `name` atomically (checkpoints, `_last_checkpoint`).
  [[nodiscard]] virtual status put(const std::string& name, std::string_view bytes) = 0;
  /// The file's bytes, or nullopt when it does not exist.
  [[nodiscard]] virtual result<std::optional<std::string>> read(const std::string& name) const = 0;
  /// Every entry, sorted by name (so by version for log files).
  [[nodiscard]] virtual result<std::vector<log_entry>> list() const = 0;
  /// Deletes `name` (a missing one is fine). Only log cleanup (`log_cleanup.hpp`) calls it, for
  /// commits and checkpoints no retained version needs. Stores that cannot delete say `unsupported`.
  [[nodiscard]] virtual status remove(const std::string& name);
  /// For messages: where the log lives.
  [[nodiscard]] virtual const std::string& location() const = 0;
};

/// The `_delta_log` of the table at `table_root` on a local (or mounted) POSIX file system; creates
/// the folders when `create` (else a missing folder is `errc::not_a_table`). Commits are written to a temp file, fsynced, and `link`ed to their name
/// (which fails if the name exists), then the folder is fsynced, so a commit survives power loss
/// once `put_if_absent` returns. Temp files a crash left behind are removed after an hour.
[[nodiscard]] result<std::shared_ptr<log_store>> local_log_store(const std::string& table_root, bool create = true);

} // namespace freshet::lake
