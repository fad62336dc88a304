#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/base/result.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/json_rows.hpp"
#include "common/lake/record_mapping.hpp"
#include "common/lake/table.hpp"
#include "common/parquet/options.hpp"
#include "services/compaction/lake_probe.hpp"
#include "services/compaction/routing.hpp"

namespace freshet::compaction {

/// How the sink rolls files and names its progress.
struct sink_options {
  std::string lake_dir;
  std::string group = "freshet-lake-sink"; ///< txn appIds are `<group>-<topic>-<partition>`
  uint64_t roll_bytes = 128ull << 20;      ///< a table commits when one of its files reaches this (estimated) size...
  int64_t roll_ms = 60'000;                ///< ...or its oldest uncommitted row is this old...
  size_t max_open_files = 32;              ///< ...or it has more partitions open than this
  /// A table without new rows still records the partitions' progress this often, so a restart need
  /// not re-read (and skip) what it already has.
  int64_t idle_commit_ms = 600'000;
  parquet::writer_options parquet;
};

/// One Delta table the sink writes: a data file open per partition value, rows appended as records
/// arrive, and one commit per roll holding every open file of the table plus a `txn` per source
/// partition (version = the last offset the sink has processed for it). So after a commit, every
/// record of a partition up to its txn version that belongs to this table is in the table — what
/// makes "skip what `has` says, resume after the txn" exactly once.
///
/// Owned by the sink actor; not thread-safe.
class table_sink {
 public:
  /// Opens (or creates) `<lake_dir>/<def.name>`. A table whose schema lacks columns of `def` is
  /// evolved (nullable columns are added); one that cannot be is written with its own schema.
  [[nodiscard]] static result<std::unique_ptr<table_sink>> open(const sink_table& def, const sink_options& options,
                                                                lake_probe& probe);
  ~table_sink();

  [[nodiscard]] const std::string& name() const { return def_.name; }
  /// The table's txn version of a source partition (nullopt: never committed).
  [[nodiscard]] std::optional<int64_t> txn(const std::string& app_id) const;
  /// Whether the record at `offset` of that partition is already in the table.
  [[nodiscard]] bool has(const std::string& app_id, int64_t offset) const {
    auto v = txn(app_id);
    return v && offset <= *v;
  }

  /// Maps the record to a row and appends it to its partition's open file. `errc::schema_mismatch`
  /// (a value that does not fit) and `error_domain::decode` (not JSON) leave the table as it was:
  /// the caller rejects the record. Other errors are storage failures.
  [[nodiscard]] status append(const routed_record& r, int64_t now_ms);

  [[nodiscard]] bool has_open_files() const { return !files_.empty(); }
  [[nodiscard]] bool roll_due(int64_t now_ms) const;
  /// No open files, but the sources moved on since the last commit long enough ago.
  [[nodiscard]] bool progress_due(int64_t now_ms, const std::map<std::string, int64_t>& progress) const;

  /// Commits the open files (if any) and a txn for every `progress` entry past the table's version
  /// (appId -> last processed offset); expects the table's txn versions of all of them unchanged
  /// (a conflict otherwise: another writer owns one of those partitions now). Returns false when
  /// there was nothing to commit. On error the files are gone from this handle: the caller resyncs.
  [[nodiscard]] result<bool> commit(const std::map<std::string, int64_t>& progress, int64_t now_ms,
                                    const std::string& source_topic);
  /// Drops the open files (deleted: they were never committed).
  void abort();
  /// Reads commits other writers made (their txn versions).
  [[nodiscard]] status refresh();

  [[nodiscard]] size_t open_files() const { return files_.size(); }
  [[nodiscard]] uint64_t open_bytes() const;
  [[nodiscard]] const lake::table& table() const { return *table_; }

 private:
  table_sink(sink_table def, const sink_options& options, lake_probe& probe)
      : def_(std::move(def)), options_(options), probe_(probe) {}

  struct open_file {
    std::unique_ptr<lake::data_file_writer> writer;
    int64_t first_row_ms = 0;
  };

  sink_table def_;
  const sink_options& options_;
  lake_probe& probe_;
  std::unique_ptr<lake::table> table_;
  lake::table_schema data_columns_;
  [[nodiscard]] result<parquet::row> row_of(const routed_record& r, int64_t& event_time_ms);
  [[nodiscard]] parquet::value extras_of(const event::record& rec) const;

  std::unique_ptr<lake::row_mapper> mapper_;
  std::unique_ptr<lake::json_row_decoder> decoder_;
  lake::json_row_decoder::output scratch_;
  std::map<std::string, size_t> column_index_;
  int32_t last_day_ = INT32_MIN; ///< the partition key of the last row, cached (events come in time order)
  std::string last_key_;
  std::optional<size_t> extra_index_;
  std::set<std::string> known_top_level_;
  std::map<std::string, open_file> files_; ///< by partition value
  int64_t last_commit_ms_ = 0;
};

} // namespace freshet::compaction
