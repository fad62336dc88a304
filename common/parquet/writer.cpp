#include "common/parquet/writer.hpp"

#include <cstdint>

#include "common/parquet/error.hpp"
#include "common/parquet/plain.hpp"
#include "common/parquet/shredder.hpp"

namespace freshet::parquet {
namespace {

constexpr std::string_view magic = "PAR1";

/// Hands the shredder's triples to the column writers; a plain struct, not a `level_sink`, so that
/// the per-value call is inlined rather than virtual.
struct column_fanout {
  column_writer* columns;
  void add(size_t column, int16_t rep, int16_t def, const value* v) { columns[column].add(rep, def, v); }
};

} // namespace

writer::writer(output& out, std::unique_ptr<output> owned, schema s, writer_options options)
    : owned_(std::move(owned)), out_(out), schema_(std::move(s)), options_(std::move(options)) {
  columns_.reserve(schema_.columns().size());
  for (const auto& c : schema_.columns())
    columns_.emplace_back(c, options_, compressor_);
  meta_.version = 1;
  meta_.schema = schema_.to_elements();
  meta_.created_by = options_.created_by;
  meta_.key_value_metadata = options_.key_value_metadata;
  meta_.column_orders = std::vector<column_order>(schema_.columns().size(), column_order::type_defined);
}

writer::~writer() = default;

result<std::unique_ptr<writer>> writer::open(output& out, schema s, writer_options options) {
  if (s.columns().empty())
    return make_parquet_error(errc::invalid_argument, "a Parquet file needs at least one column");
  if (options.codec != compression_codec::uncompressed && options.codec != compression_codec::snappy &&
      options.codec != compression_codec::zstd && options.codec != compression_codec::gzip)
    return make_parquet_error(errc::unsupported, "the writer compresses with UNCOMPRESSED, SNAPPY, GZIP or ZSTD only");
  std::unique_ptr<writer> w{new writer(out, nullptr, std::move(s), std::move(options))};
  FRESHET_TRY(out.write(magic));
  return w;
}

result<std::unique_ptr<writer>> writer::open_file(const std::string& path, schema s, writer_options options) {
  auto out = file_output(path);
  FRESHET_TRY(out);
  output& ref = **out;
  auto w = open(ref, std::move(s), std::move(options));
  FRESHET_TRY(w);
  (*w)->owned_ = std::move(*out);
  return w;
}

status writer::fail(error e) {
  failed_ = true;
  failure_ = e;
  return e;
}

size_t writer::buffered_bytes() const {
  size_t n = 0;
  for (const auto& c : columns_)
    n += c.buffered_bytes();
  return n;
}

status writer::append(const row& r) {
  if (failed_)
    return failure_;
  if (closed_)
    return make_parquet_error(errc::invalid_argument, "append after close");
  FRESHET_TRY(validate_row(schema_, r));
  column_fanout sink{columns_.data()};
  shred_row(schema_, r, sink);
  ++rows_;
  ++group_rows_;
  // Checking the size costs a pass over the columns; every 64 rows is close enough.
  if (group_rows_ >= static_cast<int64_t>(options_.row_group_max_rows) ||
      (group_rows_ % 64 == 0 && buffered_bytes() >= options_.row_group_bytes))
    return flush_row_group();
  return {};
}

uint64_t writer::value_bytes() const {
  uint64_t n = 0;
  for (const auto& c : columns_)
    n += c.value_bytes();
  return n;
}

status writer::append(std::span<const row> rows) {
  for (const auto& r : rows)
    FRESHET_TRY(append(r));
  return {};
}

status writer::flush_row_group() {
  if (failed_)
    return failure_;
  if (group_rows_ == 0)
    return {};
  row_group rg;
  rg.num_rows = group_rows_;
  rg.file_offset = static_cast<int64_t>(out_.position());
  int64_t compressed = 0;
  for (auto& c : columns_) {
    auto chunk = c.flush(out_);
    if (!chunk.ok())
      return fail(chunk.err());
    rg.total_byte_size += chunk->meta_data->total_uncompressed_size;
    compressed += chunk->meta_data->total_compressed_size;
    rg.columns.push_back(std::move(*chunk));
  }
  rg.total_compressed_size = compressed;
  if (meta_.row_groups.size() <= INT16_MAX) // the field is an i16: past that, leave it out
    rg.ordinal = static_cast<int16_t>(meta_.row_groups.size());
  meta_.row_groups.push_back(std::move(rg));
  meta_.num_rows += group_rows_;
  group_rows_ = 0;
  return {};
}

status writer::close() {
  if (failed_)
    return failure_;
  if (closed_)
    return {};
  FRESHET_TRY(flush_row_group());
  std::string footer;
  serialize(meta_, footer);
  put_le<uint32_t>(static_cast<uint32_t>(footer.size()), footer);
  footer.append(magic);
  if (auto s = out_.write(footer); !s.ok())
    return fail(s.err());
  if (auto s = out_.close(); !s.ok())
    return fail(s.err());
  closed_ = true;
  return {};
}

} // namespace freshet::parquet
