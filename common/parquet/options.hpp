#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/parquet/metadata.hpp"

namespace freshet::parquet {

/// How the writer lays out a file. Defaults follow pyarrow's where they exist.
struct writer_options {
  compression_codec codec = compression_codec::zstd;
  int compression_level = 0; ///< 0 = the codec's default (ZSTD level 1, GZIP 6)
  /// Dictionary-encode every non-boolean column until its dictionary page passes
  /// `dictionary_page_limit` bytes; the rest of that column chunk is then written PLAIN.
  bool dictionary = true;
  size_t dictionary_page_limit = 1 << 20;
  /// Unlike pyarrow, decide per column chunk on its first page whether the dictionary pays: when the
  /// page would be smaller PLAIN (raw, or compressed when the two are close) the chunk is PLAIN.
  /// Near-unique columns (ids, timestamps, coordinates) then skip the dictionary's hashing and the
  /// poorly compressing indices.
  bool dictionary_only_when_smaller = true;
  /// A data page ends at the first row boundary past either limit.
  size_t data_page_size = 1 << 20;
  size_t data_page_max_values = 20'000;
  /// A row group ends when its buffered, encoded size reaches `row_group_bytes` or it holds
  /// `row_group_max_rows` rows.
  size_t row_group_bytes = 128u << 20;
  size_t row_group_max_rows = 1 << 20;
  /// Byte-array min/max longer than this are left out of the statistics (null_count stays).
  size_t statistics_max_value_size = 4096;
  std::vector<key_value> key_value_metadata;
  std::string created_by = "freshet version 0.1.0";
};

/// What the reader is willing to allocate for untrusted input. Beyond these, `errc::limit_exceeded`.
struct reader_options {
  size_t max_footer_bytes = 64u << 20;
  size_t max_page_bytes = 256u << 20;            ///< one page, decompressed
  size_t max_values_per_chunk = size_t{1} << 26; ///< levels in one column chunk
  /// Decoded size of one column chunk (levels, values, their bytes): dictionary pages let a few bytes
  /// of indices stand for gigabytes of repeated strings, so this is checked as values are expanded.
  size_t max_chunk_memory = size_t{2} << 30;
  int max_schema_depth = 64;
};

} // namespace freshet::parquet
