#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/lake/log_store.hpp"
#include "common/lake/snapshot.hpp"
#include "common/parquet/reader.hpp"

/// Reading a table's rows back: the live files of a snapshot (time travel), or the files that
/// commits added (backfill of a version range), as JSON objects named and typed by the Delta schema.
namespace freshet::lake {

/// How timestamp columns come out: epoch milliseconds (what events carry), or RFC 3339 UTC text.
enum class time_style : uint8_t { epoch_ms, rfc3339 };

struct row_read_options {
  /// Top-level columns in the wanted order (partition columns included); empty = every column.
  std::vector<std::string> columns;
  /// Rows to return at most; 0 = all.
  uint64_t limit = 0;
  time_style times = time_style::epoch_ms;
  /// Omit null values from the objects (events leave absent fields out) instead of writing `null`.
  bool skip_nulls = false;
};

/// The live files of `s`, oldest first (by modification time, then path): the rows as of its version.
[[nodiscard]] std::vector<add_action> live_files(const snapshot& s);

/// The files that the commits after `from_version` up to `to_version` (inclusive) added with
/// `dataChange = true`, in commit order: the rows appended between the two versions. Rewrites
/// (OPTIMIZE, Z-order: `dataChange = false`) add no rows and are left out. A file a later commit
/// removed is still listed (its rows were added in the range); VACUUM may have deleted it since,
/// which `row_reader` reports as a storage error.
[[nodiscard]] result<std::vector<add_action>> files_added_between(const log_store& store, int64_t from_version,
                                                                  int64_t to_version);

/// One Parquet value as JSON, typed by its Delta column type: dates as `YYYY-MM-DD`, timestamps per
/// `times`, maps with string keys as objects (others as `[key, value]` pairs), binaries as base64.
[[nodiscard]] nlohmann::json to_json(const parquet::value& v, const data_type& type, time_style times);

/// A cursor over the rows of some data files of a table: one row group at a time, so memory stays
/// at about one row group. Partition columns come from the files' partition values. Single owner.
class row_reader {
 public:
  /// `schema` and `partition_columns` are the table's at the version read (the snapshot's).
  /// Unknown names in `options.columns` are `errc::invalid_argument`.
  [[nodiscard]] static result<row_reader> open(std::string root, table_schema schema,
                                               std::vector<std::string> partition_columns,
                                               std::vector<add_action> files, row_read_options options);
  /// A snapshot's rows (`live_files(s)`).
  [[nodiscard]] static result<row_reader> open(std::string root, const snapshot& s, row_read_options options);

  /// The next rows (one row group's, capped by the limit); empty when every row has been read.
  [[nodiscard]] result<std::vector<nlohmann::json>> next();
  /// The columns each row has, in order.
  [[nodiscard]] const std::vector<std::string>& columns() const { return names_; }
  [[nodiscard]] uint64_t rows_read() const { return returned_; }

 private:
  struct wanted_column {
    std::string name;
    data_type type;
    bool partition = false;
  };

  row_reader() = default;
  [[nodiscard]] status open_file();

  std::string root_;
  std::vector<add_action> files_;
  row_read_options options_;
  std::vector<wanted_column> wanted_;
  std::vector<std::string> names_;
  size_t file_ = 0;
  std::optional<parquet::reader> reader_;
  size_t row_group_ = 0;
  std::vector<std::string> projection_; ///< data columns to read from the current file
  uint64_t returned_ = 0;
};

} // namespace freshet::lake
