#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/lake/file_stats.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/value.hpp"
#include "common/parquet/writer.hpp"

namespace freshet::lake {

/// The folder of a partition under the table root, Hive style (`date=2024-05-01`, several columns
/// nested in `partition_columns` order); values are escaped, null is `__HIVE_DEFAULT_PARTITION__`.
[[nodiscard]] std::string partition_dir(const std::vector<std::string>& partition_columns, const partition_values& values);

/// Writes one data file of a table: the rows of one partition, in the table's data columns (the
/// partition columns live in the log, not in the file). The file gets a unique name
/// (`part-00000-<uuid>-c000.<codec>.parquet`), is fsynced at `close`, and becomes part of the table
/// only when an `add` for it commits; a file abandoned or cut short by a crash is never referenced
/// (VACUUM removes such orphans).
///
/// Single-threaded, like `parquet::writer`.
class data_file_writer {
 public:
  [[nodiscard]] static result<std::unique_ptr<data_file_writer>> open(const std::string& table_root,
                                                                       const std::vector<std::string>& partition_columns,
                                                                       partition_values partition,
                                                                       const table_schema& data_columns,
                                                                       parquet::writer_options options = {},
                                                                       stats_options stats = {});
  ~data_file_writer();
  data_file_writer(const data_file_writer&) = delete;
  data_file_writer& operator=(const data_file_writer&) = delete;

  /// One row: a value per data column.
  [[nodiscard]] status append(const parquet::row& r);
  [[nodiscard]] int64_t rows() const { return rows_; }
  /// The file's size so far: bytes written plus an estimate of the open row group (its raw size
  /// times the compression ratio of the row groups before it). What size-based rolling looks at.
  [[nodiscard]] uint64_t estimated_bytes() const;
  /// Sum of the rows' value sizes (`raw_size`): the "MB of data" of benchmarks.
  [[nodiscard]] uint64_t raw_bytes() const { return writer_ ? writer_->value_bytes() : raw_flushed_; }

  /// Writes the footer, fsyncs, and describes the file as an `add` (stats included).
  [[nodiscard]] result<add_action> close();
  /// Drops the file (closed or not).
  void abandon();

  /// Relative to the table root, not encoded.
  [[nodiscard]] const std::string& relative_path() const { return relative_; }

 private:
  data_file_writer() = default;

  std::unique_ptr<parquet::output> out_;
  std::unique_ptr<parquet::writer> writer_;
  std::string absolute_;
  std::string relative_;
  partition_values partition_;
  stats_options stats_;
  int64_t rows_ = 0;
  // The parquet writer counts the rows' raw bytes as it stages them (no second pass over each row);
  // these remember where the last flushed row group ended.
  uint64_t raw_flushed_ = 0;
  uint64_t flushed_position_ = 0;
  double ratio_ = 0.35; // file bytes per raw byte; learnt from flushed row groups
  bool done_ = false;
};

/// Approximate in-memory size of a row's values (strings' bytes, 8 per number, 1 per boolean).
[[nodiscard]] uint64_t raw_size(const parquet::row& r);

} // namespace freshet::lake
