#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/codec.hpp"
#include "common/parquet/column_writer.hpp"
#include "common/parquet/io.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet {

/// Writes one Parquet file row by row: rows are validated and shredded into per-column writers,
/// row groups roll by encoded size (or row count), and `close` writes the footer with statistics and
/// `column_orders` (TYPE_ORDER for every leaf) so that readers use min/max to skip.
///
/// Single-threaded; after any error the writer refuses further work and the file is not valid
/// Parquet (no footer). Typical use:
///
///     auto w = writer::open_file(path, *schema::make(fields), opts);
///     for (auto& r : rows) FRESHET_TRY((*w)->append(r));
///     FRESHET_TRY((*w)->close());
class writer {
 public:
  /// Writes to `out`, which the caller keeps alive until `close` (or destruction) of the writer.
  [[nodiscard]] static result<std::unique_ptr<writer>> open(output& out, schema s, writer_options options = {});
  [[nodiscard]] static result<std::unique_ptr<writer>> open_file(const std::string& path, schema s, writer_options options = {});

  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer();

  /// Adds one row: a value per top-level field. A row that does not fit is `errc::schema_mismatch`
  /// and leaves the writer usable.
  [[nodiscard]] status append(const row& r);
  [[nodiscard]] status append(std::span<const row> rows);
  /// Ends the current row group now (no-op when it is empty).
  [[nodiscard]] status flush_row_group();
  /// Flushes, writes the footer and closes the output. The file is complete only after this.
  [[nodiscard]] status close();

  [[nodiscard]] const schema& file_schema() const { return schema_; }
  [[nodiscard]] int64_t rows_written() const { return rows_; }
  /// The in-memory size of the values appended so far: byte arrays' bytes, 4 or 8 per number, 1 per
  /// boolean. Kept by the column writers as they stage values; reading it costs a pass over the columns.
  [[nodiscard]] uint64_t value_bytes() const;
  /// The footer as written (complete after `close`).
  [[nodiscard]] const file_meta_data& metadata() const { return meta_; }

 private:
  writer(output& out, std::unique_ptr<output> owned, schema s, writer_options options);
  [[nodiscard]] status fail(error e);
  [[nodiscard]] size_t buffered_bytes() const;

  std::unique_ptr<output> owned_;
  output& out_;
  schema schema_;
  writer_options options_;
  compressor compressor_; // shared by columns_, so declared before them
  std::vector<column_writer> columns_;
  file_meta_data meta_;
  int64_t rows_ = 0;
  int64_t group_rows_ = 0;
  bool closed_ = false;
  bool failed_ = false;
  error failure_;
};

} // namespace freshet::parquet
