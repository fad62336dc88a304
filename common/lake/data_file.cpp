#include "common/lake/data_file.hpp"

#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "common/base/clock.hpp"
#include "common/lake/detail/uuid.hpp"
#include "common/lake/errc.hpp"

namespace freshet::lake {

namespace {

/// Hive's partition-path escaping: characters that would break a path or a `k=v` pair become %XX.
std::string escape_partition(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    bool special = c < 0x20 || c == '"' || c == '#' || c == '%' || c == '\'' || c == '*' || c == '/' || c == ':' ||
                   c == '=' || c == '?' || c == '\\' || c == 0x7F || c == '{' || c == '[' || c == ']' || c == '^';
    if (special) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const char* codec_name(parquet::compression_codec c) {
  switch (c) {
    case parquet::compression_codec::snappy: return "snappy";
    case parquet::compression_codec::zstd: return "zstd";
    case parquet::compression_codec::gzip: return "gz";
    default: return "uncompressed";
  }
}

uint64_t raw_value_size(const parquet::value& v) {
  switch (v.type()) {
    case parquet::value::kind::null: return 0;
    case parquet::value::kind::boolean: return 1;
    case parquet::value::kind::int32:
    case parquet::value::kind::float32: return 4;
    case parquet::value::kind::int64:
    case parquet::value::kind::float64: return 8;
    case parquet::value::kind::bytes: return v.as_bytes().size();
    default: {
      uint64_t n = 0;
      for (const auto& item : v.items())
        n += raw_value_size(item);
      return n;
    }
  }
}

} // namespace

uint64_t raw_size(const parquet::row& r) {
  uint64_t n = 0;
  for (const auto& v : r)
    n += raw_value_size(v);
  return n;
}

std::string partition_dir(const std::vector<std::string>& partition_columns, const partition_values& values) {
  std::string out;
  for (const auto& c : partition_columns) {
    auto it = values.find(c);
    bool null = it == values.end() || !it->second || it->second->empty();
    if (!out.empty())
      out += '/';
    out += escape_partition(c) + "=" + (null ? std::string{"__HIVE_DEFAULT_PARTITION__"} : escape_partition(*it->second));
  }
  return out;
}

result<std::unique_ptr<data_file_writer>> data_file_writer::open(const std::string& table_root,
                                                                 const std::vector<std::string>& partition_columns,
                                                                 partition_values partition,
                                                                 const table_schema& data_columns,
                                                                 parquet::writer_options options, stats_options stats) {
  auto fields = to_parquet_fields(data_columns);
  if (!fields.ok())
    return fields.err();
  auto schema = parquet::schema::make(std::move(*fields));
  if (!schema.ok())
    return make_lake_error(errc::invalid_argument, "data file schema: " + schema.err().message);
  std::unique_ptr<data_file_writer> w{new data_file_writer};
  auto dir = partition_dir(partition_columns, partition);
  w->relative_ = (dir.empty() ? "" : dir + "/") + "part-00000-" + detail::new_uuid() + "-c000." +
                 codec_name(options.codec) + ".parquet";
  w->absolute_ = table_root + "/" + w->relative_;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path{w->absolute_}.parent_path(), ec);
  if (ec)
    return make_lake_error(errc::storage, "cannot create the folder of " + w->absolute_ + ": " + ec.message(), true);
  auto file = parquet::file_output(w->absolute_, /*sync=*/true);
  if (!file.ok())
    return make_lake_error(errc::storage, file.err().message, true);
  w->out_ = std::move(*file);
  auto pw = parquet::writer::open(*w->out_, std::move(*schema), std::move(options));
  if (!pw.ok())
    return pw.err();
  w->writer_ = std::move(*pw);
  w->partition_ = std::move(partition);
  w->stats_ = stats;
  return w;
}

data_file_writer::~data_file_writer() {
  if (!done_)
    abandon();
}

status data_file_writer::append(const parquet::row& r) {
  auto st = writer_->append(r);
  if (!st.ok())
    return make_lake_error(errc::schema_mismatch, st.err().message);
  ++rows_;
  const uint64_t pos = out_->position();
  if (pos != flushed_position_) { // a row group was just written, this row's values included
    const uint64_t raw = writer_->value_bytes();
    if (raw > raw_flushed_)
      ratio_ = static_cast<double>(pos - flushed_position_) / static_cast<double>(raw - raw_flushed_);
    flushed_position_ = pos;
    raw_flushed_ = raw;
  }
  return {};
}

uint64_t data_file_writer::estimated_bytes() const {
  if (!writer_) // abandoned
    return flushed_position_;
  const uint64_t open_group = writer_->value_bytes() - raw_flushed_;
  return flushed_position_ + static_cast<uint64_t>(static_cast<double>(open_group) * ratio_);
}

result<add_action> data_file_writer::close() {
  if (done_)
    return make_lake_error(errc::invalid_argument, relative_ + " is already closed");
  done_ = true;
  auto st = writer_->close();
  if (!st.ok()) {
    std::filesystem::remove(absolute_);
    return make_lake_error(errc::storage, relative_ + ": " + st.err().message, true);
  }
  // The file's folder entry must be durable before a commit refers to it.
  const auto dir = std::filesystem::path{absolute_}.parent_path().string();
  if (int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    (void) ::fsync(fd);
    ::close(fd);
  }
  add_action a;
  a.path = encode_path(relative_);
  a.partition = partition_;
  a.size = static_cast<int64_t>(out_->position());
  a.modification_time = now_ms();
  a.data_change = true;
  a.stats = file_stats_json(writer_->file_schema(), writer_->metadata(), stats_);
  return a;
}

void data_file_writer::abandon() {
  done_ = true;
  writer_.reset(); // no footer: never valid Parquet, and never referenced
  out_.reset();
  std::error_code ec;
  std::filesystem::remove(absolute_, ec);
}

} // namespace freshet::lake
