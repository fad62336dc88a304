#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/codec.hpp"
#include "common/parquet/detail/byte_buffer.hpp"
#include "common/parquet/dictionary.hpp"
#include "common/parquet/io.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/options.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/statistics.hpp"
#include "common/parquet/value.hpp"

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
  /// `pages` compresses every page; the writer owns it and outlives its column writers.
  column_writer(const column_descriptor& column, const writer_options& options, compressor& pages);

  /// `v` is null exactly when `def < max_def`. Inline: the writer calls it for every value, and all it
  /// does is stage the value; encoding, statistics and compression happen a page at a time.
  void add(int16_t rep, int16_t def, const value* v) {
    if (rep == 0 && page_values_ > 0 && (page_bytes_estimate() >= opts_.data_page_size || page_values_ >= opts_.data_page_max_values))
      cut_page();
    // Levels of a column whose maximum is 0 are not written: do not keep them either.
    if (col_.max_rep > 0)
      rep_.push_back(static_cast<uint32_t>(rep));
    if (col_.max_def > 0)
      def_.push_back(static_cast<uint32_t>(def));
    ++page_values_;
    if (!v)
      return;
    ++page_non_null_;
    switch (col_.physical) {
      case physical_type::boolean: bools_.push_back(v->as_bool() ? 1 : 0); break;
      case physical_type::int32: staged_.put<int32_t>(v->as_int32()); break;
      case physical_type::int64: staged_.put<int64_t>(v->as_int64()); break;
      case physical_type::float_: staged_.put<float>(v->as_float()); break;
      case physical_type::double_: staged_.put<double>(v->as_double()); break;
      case physical_type::byte_array: {
        const std::string& b = v->as_bytes();
        staged_.put<uint32_t>(static_cast<uint32_t>(b.size()));
        staged_.append(b.data(), b.size());
        break;
      }
      default: staged_.append(v->as_bytes().data(), v->as_bytes().size()); break;
    }
  }
  /// Encoded bytes buffered for this row group (the writer's row-group size estimate).
  [[nodiscard]] size_t buffered_bytes() const;
  /// The in-memory size of the values taken so far, over all row groups: byte arrays' bytes, 4 or 8
  /// per number, 1 per boolean (what `lake::raw_size` counts), without a pass over the rows.
  [[nodiscard]] uint64_t value_bytes() const;
  /// Writes dictionary and data pages at the output's position and returns their metadata; then
  /// starts afresh (new dictionary, statistics) for the next row group.
  [[nodiscard]] result<column_chunk> flush(output& out);

 private:
  /// Ends the page before the value being added; an error is kept for `flush`.
  void cut_page();
  [[nodiscard]] status finish_page();
  /// Min/max of the staged fixed-width or boolean values (byte arrays: `staged_bytes_stats`).
  void staged_stats();
  /// Dictionary indices of the staged values, into `indices_`.
  void dictionary_encode();
  /// Whether the dictionary encoding of the staged page (`indices_body`: its RLE indices) beats PLAIN.
  [[nodiscard]] bool dictionary_pays(const std::string& indices_body);
  /// Min/max of the staged byte arrays (pages written PLAIN).
  void staged_bytes_stats();
  [[nodiscard]] size_t page_bytes_estimate() const { return staged_.size() + bools_.size() / 8 + (def_.size() + rep_.size()) / 4; }
  void append_page(page_type type, std::string_view body, encoding value_encoding, int32_t num_values);
  void reset_chunk();

  const column_descriptor& col_;
  const writer_options& opts_;
  compressor& compressor_;
  // The page being built.
  size_t page_values_ = 0; // level triples in the page (rep_/def_ hold them only where the level can be > 0)
  size_t page_non_null_ = 0;
  std::vector<uint32_t> rep_;
  std::vector<uint32_t> def_;
  detail::byte_buffer staged_;    // the page's non-null values, PLAIN-encoded
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
  uint64_t value_bytes_ = 0; // of finished pages
  stats_accumulator stats_;
  error failure_;
  bool failed_ = false;
};

} // namespace freshet::parquet
