#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

/// The Thrift structs of parquet-format's `parquet.thrift` that a writer and reader of flat and nested
/// files need, with the spec's field ids (see metadata_write.cpp / metadata_read.cpp). Unknown fields
/// are skipped when reading, so files from newer writers still open.
namespace freshet::parquet {

enum class physical_type : int32_t {
  boolean = 0,
  int32 = 1,
  int64 = 2,
  int96 = 3,
  float_ = 4,
  double_ = 5,
  byte_array = 6,
  fixed_len_byte_array = 7,
};

/// Deprecated annotations, still written next to logical types for old readers.
enum class converted_type : int32_t {
  utf8 = 0,
  map = 1,
  map_key_value = 2,
  list = 3,
  enum_ = 4,
  decimal = 5,
  date = 6,
  time_millis = 7,
  time_micros = 8,
  timestamp_millis = 9,
  timestamp_micros = 10,
  json = 19,
  bson = 20,
};

enum class repetition : int32_t { required = 0, optional = 1, repeated = 2 };

enum class encoding : int32_t {
  plain = 0,
  plain_dictionary = 2,
  rle = 3,
  bit_packed = 4,
  delta_binary_packed = 5,
  delta_length_byte_array = 6,
  delta_byte_array = 7,
  rle_dictionary = 8,
  byte_stream_split = 9,
};

enum class compression_codec : int32_t {
  uncompressed = 0,
  snappy = 1,
  gzip = 2,
  lzo = 3,
  brotli = 4,
  lz4 = 5,
  zstd = 6,
  lz4_raw = 7,
};

enum class page_type : int32_t { data_page = 0, index_page = 1, dictionary_page = 2, data_page_v2 = 3 };

enum class time_unit : uint8_t { millis, micros, nanos };

/// The `LogicalType` union, flattened: `kind` says which member is set.
struct logical_type {
  enum class kind : uint8_t {
    string, map, list, enum_, decimal, date, time, timestamp, integer, unknown, json, bson, uuid, float16, other
  };
  kind k = kind::other;
  bool is_adjusted_to_utc = false; ///< time, timestamp
  time_unit unit = time_unit::micros; ///< time, timestamp
  int32_t scale = 0;                ///< decimal
  int32_t precision = 0;            ///< decimal
  int8_t bit_width = 0;             ///< integer
  bool is_signed = true;            ///< integer
};

struct schema_element {
  std::optional<physical_type> type;
  std::optional<int32_t> type_length;
  std::optional<repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<converted_type> converted;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<logical_type> logical;
};

/// Min/max are PLAIN-encoded values (byte arrays without their length prefix).
struct statistics {
  std::optional<std::string> max;  ///< deprecated, signed order
  std::optional<std::string> min;  ///< deprecated, signed order
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value; ///< by the column's `column_orders` entry
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;
};

struct data_page_header {
  int32_t num_values = 0;
  encoding value_encoding = encoding::plain;
  encoding definition_level_encoding = encoding::rle;
  encoding repetition_level_encoding = encoding::rle;
  std::optional<statistics> stats;
};

struct dictionary_page_header {
  int32_t num_values = 0;
  encoding value_encoding = encoding::plain;
  std::optional<bool> is_sorted;
};

struct data_page_header_v2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  encoding value_encoding = encoding::plain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
  std::optional<statistics> stats;
};

struct page_header {
  page_type type = page_type::data_page;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<data_page_header> data;
  std::optional<dictionary_page_header> dictionary;
  std::optional<data_page_header_v2> data_v2;
};

struct key_value {
  std::string key;
  std::optional<std::string> value;
};

struct page_encoding_stats {
  page_type type = page_type::data_page;
  encoding page_encoding = encoding::plain;
  int32_t count = 0;
};

struct column_meta_data {
  physical_type type = physical_type::int32;
  std::vector<encoding> encodings;
  std::vector<std::string> path_in_schema;
  compression_codec codec = compression_codec::uncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<key_value> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<statistics> stats;
  std::vector<page_encoding_stats> encoding_stats;
};

struct column_chunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<column_meta_data> meta_data;
};

struct row_group {
  std::vector<column_chunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

/// The `ColumnOrder` union; only TYPE_ORDER lets readers trust `min_value`/`max_value`.
enum class column_order : uint8_t { type_defined, ieee754_total, int96_timestamp, unknown };

struct file_meta_data {
  int32_t version = 1;
  std::vector<schema_element> schema;
  int64_t num_rows = 0;
  std::vector<row_group> row_groups;
  std::vector<key_value> key_value_metadata;
  std::optional<std::string> created_by;
  std::optional<std::vector<column_order>> column_orders;
};

/// Compact-protocol encodings, appended to `out`.
void serialize(const file_meta_data& m, std::string& out);
void serialize(const page_header& h, std::string& out);

/// Decodes a footer; `max_depth` bounds struct nesting. Errors are `errc::malformed`.
[[nodiscard]] result<file_meta_data> parse_file_meta_data(std::string_view bytes, int max_depth = 64);

struct parsed_page_header {
  page_header header;
  size_t header_size = 0; ///< bytes the header took
};
/// Decodes the page header at the start of `bytes` (which may continue with the page body).
[[nodiscard]] result<parsed_page_header> parse_page_header(std::string_view bytes);

} // namespace freshet::parquet
