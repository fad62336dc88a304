#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/checkpoint.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/lake/log_replay.hpp"
#include "common/lake/log_store.hpp"
#include "common/lake/snapshot.hpp"
#include "common/lake/transaction.hpp"

namespace freshet::lake {

struct table_options {
  checkpoint_options checkpoint;
  /// Put-if-absent attempts per commit before giving up with `errc::version_taken` (each lost race
  /// is checked for conflicts and retried on the next version).
  int max_commit_attempts = 100;
  std::string engine_info = "freshet/0.1.0";
};

/// What a new table looks like.
struct table_definition {
  table_schema schema; ///< every column, partition columns included
  std::vector<std::string> partition_columns;
  /// Table properties, e.g. `delta.checkpointInterval` (default 10 here).
  std::map<std::string, std::string> configuration;
  std::optional<std::string> name;
  std::optional<std::string> description;
};

struct commit_result {
  int64_t version = 0;
  int attempts = 1;          ///< 1 = no race lost
  bool checkpointed = false; ///< a checkpoint (and `_last_checkpoint`) was written for `version`
};

/// A Delta table (protocol reader 1 / writer 2) on a `log_store`: its latest snapshot, kept current
/// as this handle commits, plus time travel and history read from the log.
///
/// Commits are optimistic: `begin()` records the read version, data files are written, `commit()`
/// puts `_delta_log/<version+1>.json` if absent. A lost race re-reads the winning commits, checks
/// them for conflicts (`check_conflict`), moves the snapshot forward and tries the next version.
/// After a commit whose version is a multiple of the checkpoint interval (table property
/// `delta.checkpointInterval`, default 10) a Parquet checkpoint and `_last_checkpoint` are written.
///
/// Not thread-safe: one owner (an actor) uses a handle; any number of handles and processes may
/// write one table concurrently.
class table {
 public:
  /// An existing table at `root` (`errc::not_a_table` otherwise).
  [[nodiscard]] static result<std::unique_ptr<table>> open(const std::string& root, table_options options = {});
  [[nodiscard]] static result<std::unique_ptr<table>> open(std::shared_ptr<log_store> store, std::string root,
                                                           table_options options = {});
  /// Opens the table, or creates it (version 0: protocol, metaData, commitInfo "CREATE TABLE") when
  /// the log is empty. Of two racing creators one creates, the other opens. An existing table must
  /// have the same partition columns (`errc::invalid_argument` otherwise); its schema is kept as it is.
  [[nodiscard]] static result<std::unique_ptr<table>> create_or_open(const std::string& root,
                                                                     const table_definition& def,
                                                                     table_options options = {});

  [[nodiscard]] const std::string& root() const { return root_; }
  [[nodiscard]] log_store& store() const { return *store_; }
  [[nodiscard]] const table_options& options() const { return options_; }

  /// The latest snapshot this handle knows (after `open`, `refresh` or its own commits).
  [[nodiscard]] const snapshot& latest() const { return snapshot_; }
  /// Reads commits other writers made since; returns how many.
  [[nodiscard]] result<int64_t> refresh();

  /// Time travel by version (a fresh replay: latest checkpoint at or below it, then commits).
  [[nodiscard]] result<snapshot> snapshot_at(int64_t version) const;
  /// Time travel by timestamp: the snapshot of `version_at(timestamp_ms)`.
  [[nodiscard]] result<snapshot> snapshot_at_timestamp(int64_t timestamp_ms,
                                                       timestamp_source source = timestamp_source::file_modification) const;
  [[nodiscard]] result<int64_t> version_at(int64_t timestamp_ms,
                                           timestamp_source source = timestamp_source::file_modification) const;
  /// Newest first; `limit` 0 = everything still in the log.
  [[nodiscard]] result<std::vector<history_entry>> history(size_t limit = 0) const;

  /// A transaction reading the latest snapshot.
  [[nodiscard]] transaction begin() const;
  /// Commits `t` (see the class comment). `errc::conflict` leaves the log untouched by us;
  /// `errc::storage` may leave the outcome unknown (e.g. the folder fsync failed after the link):
  /// callers re-read the table (`refresh`, txn versions) to learn it.
  [[nodiscard]] result<commit_result> commit(transaction t);
  /// Adds nullable columns (a `metaData` commit with the same id). Columns of the current schema must
  /// stay as they are (same type and nullability): `errc::invalid_argument` otherwise. A schema
  /// equal to the current one commits nothing and returns the current version.
  [[nodiscard]] result<int64_t> evolve_schema(const table_schema& schema);

  /// Writes the checkpoint of the latest snapshot and, if newer, `_last_checkpoint`.
  [[nodiscard]] status write_checkpoint();
  [[nodiscard]] int64_t checkpoint_interval() const;

 private:
  table(std::shared_ptr<log_store> store, std::string root, table_options options, snapshot s)
      : store_(std::move(store)), root_(std::move(root)), options_(std::move(options)), snapshot_(std::move(s)) {}

  [[nodiscard]] std::vector<action> commit_actions(const transaction& t) const;
  /// Reads commits after our snapshot, checks each against `t`, applies them.
  [[nodiscard]] status catch_up(const transaction& t);

  std::shared_ptr<log_store> store_;
  std::string root_;
  table_options options_;
  snapshot snapshot_;
};

} // namespace freshet::lake
