#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/dictionary.hpp"
#include "common/parquet/io.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/statistics.hpp"

namespace freshet::parquet {

/// Builds one leaf column's chunk for the current row group: takes (repetition, definition, value)
/// triples from the shredder, stages a page's values PLAIN-encoded, and cuts data pages (v1) at row
/// boundaries. A finished page is dictionary-encoded from its staged values (one column at a time, so
/// the dictionary stays in cache) until the dictionary passes its limit; later pages of the chunk are
/// PLAIN. A chunk whose first page is smaller PLAIN than dictionary-encoded (near-unique values)
/// is PLAIN throughout (`writer_options::dictionary_only_when_smaller`). Encoded pages stay in memory until `flush`, because the dictionary page has to come first
/// in the file. Owned by `writer`.
class column_writer {
 public:
  column_writer(const column_descriptor& column, const writer_options& options);

  /// `v` is null exactly when `def < max_def`.
  void add(int16_t rep, int16_t def, const value* v);
  /// Encoded bytes buffered for this row group (the writer's row-group size estimate).
  [[nodiscard]] size_t buffered_bytes() const;
  /// Writes dictionary and data pages at the output's position and returns their metadata; then
  /// starts afresh (new dictionary, statistics) for the next row group.
  [[nodiscard]] result<column_chunk> flush(output& out);

 private:
  [[nodiscard]] status finish_page();
  /// Dictionary indices of the staged values, into `indices_`.
  void dictionary_encode();
  /// Whether the dictionary encoding of the staged page (`indices_body`: its RLE indices) beats PLAIN.
  [[nodiscard]] bool dictionary_pays(const std::string& indices_body);
  /// Min/max of the staged byte arrays (pages written PLAIN).
  void staged_bytes_stats();
  [[nodiscard]] size_t page_bytes_estimate() const;
  void append_page(page_type type, const std::string& body, encoding value_encoding, int32_t num_values);
  void reset_chunk();

  const column_descriptor& col_;
  const writer_options& opts_;
  // The page being built.
  size_t page_values_ = 0; // level triples in the page (rep_/def_ hold them only where the level can be > 0)
  std::vector<uint32_t> rep_;
  std::vector<uint32_t> def_;
  std::string staged_;            // the page's non-null values, PLAIN-encoded
  std::vector<uint32_t> bools_;   // boolean columns
  std::vector<uint32_t> indices_; // scratch for dictionary encoding
  // The chunk being built.
  bool dict_mode_ = false;
  dictionary dict_;
  std::string pages_;
  std::string scratch_;
  std::string body_;         // the page being assembled
  std::string indices_body_; // its RLE dictionary indices
  int64_t pages_uncompressed_ = 0;
  int64_t num_values_ = 0;
  int32_t dict_pages_ = 0;
  int32_t plain_pages_ = 0;
  stats_accumulator stats_;
  error failure_;
  bool failed_ = false;
};

} // namespace freshet::parquet
