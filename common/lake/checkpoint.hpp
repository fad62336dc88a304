#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/snapshot.hpp"
#include "common/parquet/metadata.hpp"

/// Classic V1 checkpoints (PROTOCOL.md "Checkpoints", "Checkpoint Schema"): a Parquet file with one
/// row per action and one nullable struct column per action kind — `txn`, `add`, `remove`,
/// `metaData`, `protocol` — with maps for partition values, tags, options and configuration. Written
/// and read with common/parquet; readable by delta-rs, Spark and pyarrow. Also `_last_checkpoint`.
namespace freshet::lake {

struct checkpoint_options {
  /// Tombstones deleted longer ago than this are dropped ("until they are expired"); the table
  /// property `delta.deletedFileRetentionDuration` overrides it.
  int64_t tombstone_retention_ms = 7LL * 24 * 3600 * 1000;
  int64_t now_ms = 0; ///< 0 = the wall clock
  parquet::compression_codec codec = parquet::compression_codec::snappy;
};

/// What `_last_checkpoint` says (the fields this library writes; others are ignored).
struct checkpoint_info {
  int64_t version = 0;
  int64_t size = 0;          ///< actions in the checkpoint
  int64_t size_in_bytes = 0; ///< the checkpoint file's size
  int64_t num_add_files = 0;
  int parts = 0;             ///< 0 = single file
};

struct written_checkpoint {
  std::string bytes;
  checkpoint_info info;
};

/// The checkpoint of `s` (protocol, metadata, txns, live files, unexpired tombstones).
[[nodiscard]] result<written_checkpoint> write_checkpoint(const snapshot& s, const checkpoint_options& options = {});

/// The actions of a checkpoint file (ours or another writer's: columns are found by name, extra ones
/// ignored). Bad bytes are `errc::malformed_log`.
[[nodiscard]] result<std::vector<action>> read_checkpoint(std::string bytes);

[[nodiscard]] std::string last_checkpoint_json(const checkpoint_info& info);
[[nodiscard]] result<checkpoint_info> parse_last_checkpoint(std::string_view text);

/// Parses a retention interval as Delta writes it ("interval 7 days", "interval 1 week",
/// "interval 36 hours"); nullopt when it cannot.
[[nodiscard]] std::optional<int64_t> parse_interval_ms(std::string_view text);

} // namespace freshet::lake
