#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/io.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/statistics.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet {

/// Reads a Parquet file: footer and schema at `open`, then rows one row group at a time, optionally
/// only some top-level fields. Input is untrusted: every offset, length and count is checked, and
/// memory is bounded by `reader_options`; bad bytes give `errc::malformed`, never a crash.
///
/// Not thread-safe (reads go through one `input`); open one reader per thread.
class reader {
 public:
  [[nodiscard]] static result<reader> open(std::unique_ptr<input> in, reader_options options = {});
  [[nodiscard]] static result<reader> open_file(const std::string& path, reader_options options = {});

  [[nodiscard]] const file_meta_data& metadata() const { return meta_; }
  [[nodiscard]] const schema& file_schema() const { return schema_; }
  [[nodiscard]] int64_t num_rows() const { return meta_.num_rows; }
  [[nodiscard]] size_t num_row_groups() const { return meta_.row_groups.size(); }
  /// The footer's key-value metadata entry for `key`, if any.
  [[nodiscard]] std::optional<std::string> key_value(std::string_view key) const;

  /// Rows of one row group. `fields` names top-level fields (in the order wanted); empty means all.
  [[nodiscard]] result<std::vector<row>> read_row_group(size_t index, const std::vector<std::string>& fields = {});
  /// Rows of every row group, in order.
  [[nodiscard]] result<std::vector<row>> read_all(const std::vector<std::string>& fields = {});

  /// Statistics of leaf column `column` in row group `row_group` (empty when absent or untrusted).
  [[nodiscard]] column_statistics statistics(size_t row_group, size_t column) const;

 private:
  reader(std::unique_ptr<input> in, file_meta_data meta, schema s, reader_options options)
      : in_(std::move(in)), meta_(std::move(meta)), schema_(std::move(s)), options_(options) {}

  std::unique_ptr<input> in_;
  file_meta_data meta_;
  schema schema_;
  reader_options options_;
};

} // namespace freshet::parquet
