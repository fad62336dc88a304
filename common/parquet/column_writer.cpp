#include "common/parquet/column_writer.hpp"

#include <algorithm>
#include <cstring>

#include "common/parquet/plain.hpp"
#include "common/parquet/rle.hpp"

namespace freshet::parquet {
namespace {

void put_levels(const std::vector<uint32_t>& levels, int16_t max_level, std::string& out) {
  if (max_level == 0)
    return;
  const size_t at = out.size();
  put_le<uint32_t>(0, out);
  rle_encode(levels, bit_width_for(static_cast<uint64_t>(max_level)), out);
  const auto len = static_cast<uint32_t>(out.size() - at - 4);
  std::memcpy(out.data() + at, &len, 4);
}

} // namespace

column_writer::column_writer(const column_descriptor& column, const writer_options& options, compressor& pages)
    : col_(column), opts_(options), compressor_(pages), dict_(column.physical), stats_(column) {
  reset_chunk();
}

void column_writer::reset_chunk() {
  dict_mode_ = opts_.dictionary && col_.physical != physical_type::boolean;
  dict_.clear();
  pages_.clear();
  pages_uncompressed_ = 0;
  num_values_ = 0;
  dict_pages_ = plain_pages_ = 0;
  stats_.reset();
}

size_t column_writer::buffered_bytes() const { return pages_.size() + dict_.plain().size() + page_bytes_estimate(); }

uint64_t column_writer::value_bytes() const {
  switch (col_.physical) {
    case physical_type::boolean: return value_bytes_ + page_non_null_;
    case physical_type::byte_array: return value_bytes_ + staged_.size() - 4 * page_non_null_;
    default: return value_bytes_ + staged_.size();
  }
}

void column_writer::cut_page() {
  if (auto s = finish_page(); !s.ok() && !failed_) {
    failed_ = true;
    failure_ = s.err();
  }
}

void column_writer::staged_stats() {
  if (col_.physical == physical_type::boolean) {
    if (bools_.empty())
      return;
    const auto [lo, hi] = std::minmax_element(bools_.begin(), bools_.end());
    stats_.add_range(*lo, *hi);
    return;
  }
  const size_t width = col_.physical == physical_type::int64 || col_.physical == physical_type::double_ ? 8 : 4;
  stats_.add_plain(staged_.data(), staged_.size() / width);
}

void column_writer::append_page(page_type type, std::string_view body, encoding value_encoding, int32_t num_values) {
  scratch_.clear();
  if (auto s = compressor_.compress(opts_.codec, body, scratch_, opts_.compression_level); !s.ok()) {
    if (!failed_) {
      failed_ = true;
      failure_ = s.err();
    }
    return;
  }
  page_header h;
  h.type = type;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(scratch_.size());
  if (type == page_type::dictionary_page) {
    h.dictionary = dictionary_page_header{num_values, encoding::plain, std::nullopt};
  } else {
    h.data = data_page_header{num_values, value_encoding, encoding::rle, encoding::rle, std::nullopt};
  }
  const size_t at = pages_.size();
  serialize(h, pages_);
  pages_uncompressed_ += static_cast<int64_t>(pages_.size() - at + body.size());
  pages_.append(scratch_);
}

void column_writer::dictionary_encode() {
  indices_.clear();
  const char* p = staged_.data();
  const char* end = p + staged_.size();
  indices_.reserve(page_non_null_);
  if (dict_.size() == 0) // a chunk's first page: as many distinct values as values, at worst
    dict_.reserve(page_non_null_);
  if (col_.physical == physical_type::byte_array) {
    while (p < end) {
      uint32_t n = 0;
      std::memcpy(&n, p, 4);
      indices_.push_back(dict_.insert_bytes(std::string_view(p + 4, n)));
      p += 4 + n;
    }
    return;
  }
  const size_t width = col_.physical == physical_type::int64 || col_.physical == physical_type::double_ ? 8 : 4;
  for (; p < end; p += width) {
    uint64_t bits = 0;
    std::memcpy(&bits, p, width);
    indices_.push_back(dict_.insert_fixed(bits));
  }
}

void column_writer::staged_bytes_stats() {
  for (const char *p = staged_.data(), *end = p + staged_.size(); p < end;) {
    uint32_t n = 0;
    std::memcpy(&n, p, 4);
    stats_.add_bytes(std::string_view(p + 4, n));
    p += 4 + n;
  }
}

bool column_writer::dictionary_pays(const std::string& indices_body) {
  // What PLAIN would take against the dictionary so far plus the indices. Clear cases are decided on
  // the raw sizes (parquet-mr's rule); close ones by compressing both, since sequential or sorted
  // values (ids, timestamps) compress far better PLAIN than as the indices of a growing dictionary.
  const std::string_view staged = staged_.view();
  const size_t plain = staged.size();
  const size_t dict = dict_.plain().size() + indices_body.size();
  if (dict >= plain)
    return false;
  if (opts_.codec == compression_codec::uncompressed || dict * 2 <= plain)
    return true;
  size_t packed_dict = 0;
  scratch_.clear();
  if (!compressor_.compress(opts_.codec, dict_.plain(), scratch_, opts_.compression_level).ok())
    return true;
  packed_dict += scratch_.size();
  scratch_.clear();
  if (!compressor_.compress(opts_.codec, indices_body, scratch_, opts_.compression_level).ok())
    return true;
  packed_dict += scratch_.size();
  scratch_.clear();
  if (!compressor_.compress(opts_.codec, staged, scratch_, opts_.compression_level).ok())
    return true;
  return packed_dict <= scratch_.size();
}

status column_writer::finish_page() {
  if (page_values_ == 0)
    return {};
  num_values_ += static_cast<int64_t>(page_values_);
  stats_.add_nulls(static_cast<int64_t>(page_values_ - page_non_null_));
  switch (col_.physical) {
    case physical_type::boolean: value_bytes_ += page_non_null_; break;
    case physical_type::byte_array: value_bytes_ += staged_.size() - 4 * page_non_null_; break;
    default: value_bytes_ += staged_.size(); break;
  }
  std::string& body = body_;
  body.clear();
  put_levels(rep_, col_.max_rep, body);
  put_levels(def_, col_.max_def, body);
  encoding enc = encoding::plain;
  const bool bytes = col_.physical == physical_type::byte_array;
  if (col_.physical == physical_type::boolean) {
    staged_stats();
    bit_pack(bools_, 1, body);
  } else if (dict_mode_ && !staged_.empty()) {
    const uint32_t known = dict_.size();
    dictionary_encode();
    const int width = bit_width_for(dict_.size() - 1);
    indices_body_.clear();
    indices_body_.push_back(static_cast<char>(width));
    rle_encode(indices_, width, indices_body_);
    // The chunk's first page decides whether a dictionary pays for this column at all.
    if (opts_.dictionary_only_when_smaller && dict_pages_ == 0 && plain_pages_ == 0 && !dictionary_pays(indices_body_)) {
      dict_mode_ = false;
      dict_.clear();
      if (bytes)
        staged_bytes_stats();
      else
        staged_stats();
      body.append(staged_.view());
    } else {
      enc = encoding::rle_dictionary;
      // Statistics once per distinct value: the dictionary's new entries. Floats go by the staged
      // values, whose NaNs are counted one by one.
      if (bytes)
        for (uint32_t i = known; i < dict_.size(); ++i)
          stats_.add_bytes(dict_.bytes_at(i));
      else if (col_.physical == physical_type::int32 || col_.physical == physical_type::int64)
        stats_.add_plain(dict_.plain().data() + (col_.physical == physical_type::int64 ? 8 : 4) * size_t{known},
                         dict_.size() - known);
      else
        staged_stats();
      body.append(indices_body_);
      ++dict_pages_;
      // Past its limit the dictionary stops growing: the chunk's later pages are PLAIN.
      if (dict_.plain().size() > opts_.dictionary_page_limit)
        dict_mode_ = false;
    }
  } else {
    if (bytes)
      staged_bytes_stats();
    else
      staged_stats();
    body.append(staged_.view());
  }
  if (enc == encoding::plain)
    ++plain_pages_;
  append_page(page_type::data_page, body, enc, static_cast<int32_t>(page_values_));
  page_values_ = 0;
  page_non_null_ = 0;
  rep_.clear();
  def_.clear();
  bools_.clear();
  staged_.clear();
  if (failed_)
    return failure_;
  return {};
}

result<column_chunk> column_writer::flush(output& out) {
  FRESHET_TRY(finish_page());
  if (failed_)
    return failure_;
  column_meta_data m;
  m.type = col_.physical;
  m.path_in_schema = col_.path;
  m.codec = opts_.codec;
  m.num_values = num_values_;
  const int64_t start = static_cast<int64_t>(out.position());
  int64_t uncompressed = pages_uncompressed_;
  int64_t compressed = static_cast<int64_t>(pages_.size());
  if (dict_pages_ > 0) {
    const std::string data_pages = std::move(pages_);
    pages_.clear();
    const int64_t before = pages_uncompressed_;
    append_page(page_type::dictionary_page, dict_.plain(), encoding::plain, static_cast<int32_t>(dict_.size()));
    if (failed_)
      return failure_;
    uncompressed += pages_uncompressed_ - before;
    compressed += static_cast<int64_t>(pages_.size());
    m.dictionary_page_offset = start;
    FRESHET_TRY(out.write(pages_));
    m.data_page_offset = static_cast<int64_t>(out.position());
    FRESHET_TRY(out.write(data_pages));
    m.encodings = {encoding::plain, encoding::rle, encoding::rle_dictionary};
    m.encoding_stats.push_back({page_type::dictionary_page, encoding::plain, 1});
    m.encoding_stats.push_back({page_type::data_page, encoding::rle_dictionary, dict_pages_});
  } else {
    m.data_page_offset = start;
    FRESHET_TRY(out.write(pages_));
    m.encodings = {encoding::plain, encoding::rle};
  }
  if (plain_pages_ > 0)
    m.encoding_stats.push_back({page_type::data_page, encoding::plain, plain_pages_});
  m.total_uncompressed_size = uncompressed;
  m.total_compressed_size = compressed;
  m.stats = stats_.finish(opts_.statistics_max_value_size);
  column_chunk c;
  c.file_offset = 0;
  c.meta_data = std::move(m);
  reset_chunk();
  return c;
}

} // namespace freshet::parquet
