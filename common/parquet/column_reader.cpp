#include "common/parquet/column_reader.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "common/parquet/codec.hpp"
#include "common/parquet/delta.hpp"
#include "common/parquet/error.hpp"
#include "common/parquet/plain.hpp"
#include "common/parquet/rle.hpp"

namespace freshet::parquet {
namespace {

error malformed(const column_descriptor& c, const std::string& why) {
  return make_parquet_error(errc::malformed, "column " + c.dotted_path() + ": " + why);
}

/// Decodes `count` levels of hybrid RLE (no length prefix) from `bytes`, appending to `out`.
status decode_levels(const column_descriptor& c, std::string_view bytes, int16_t max_level, size_t count, std::vector<int16_t>& out) {
  if (max_level == 0) {
    out.insert(out.end(), count, 0);
    return {};
  }
  rle_decoder d{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), bit_width_for(static_cast<uint64_t>(max_level))};
  uint32_t batch[1024];
  while (count > 0) {
    const size_t n = std::min<size_t>(count, std::size(batch));
    if (!d.get(batch, n))
      return malformed(c, "levels end early");
    for (size_t i = 0; i < n; ++i) {
      if (batch[i] > static_cast<uint32_t>(max_level))
        return malformed(c, "level above the column's maximum");
      out.push_back(static_cast<int16_t>(batch[i]));
    }
    count -= n;
  }
  return {};
}

/// Reads the 4-byte length prefix of a v1 level block and returns the block; advances `pos`.
result<std::string_view> prefixed_block(const column_descriptor& c, std::string_view page, size_t& pos) {
  if (page.size() - pos < 4)
    return malformed(c, "truncated level length");
  const uint32_t n = get_le<uint32_t>(reinterpret_cast<const uint8_t*>(page.data() + pos));
  pos += 4;
  if (n > page.size() - pos)
    return malformed(c, "level block longer than the page");
  auto block = page.substr(pos, n);
  pos += n;
  return block;
}

class chunk_decoder {
 public:
  chunk_decoder(const column_descriptor& c, const column_meta_data& m, const reader_options& o) : col_(c), meta_(m), opts_(o) {}

  result<column_data> run(std::string_view chunk) {
    const auto expected = static_cast<uint64_t>(meta_.num_values);
    if (meta_.num_values < 0)
      return malformed(col_, "negative value count");
    if (expected > opts_.max_values_per_chunk)
      return make_parquet_error(errc::limit_exceeded, "column " + col_.dotted_path() + ": more values than max_values_per_chunk");
    size_t pos = 0;
    while (pos < chunk.size() && out_.def.size() < expected) {
      auto ph = parse_page_header(chunk.substr(pos));
      FRESHET_TRY(ph);
      pos += ph->header_size;
      const page_header& h = ph->header;
      if (h.compressed_page_size < 0 || static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos)
        return malformed(col_, "page longer than its column chunk");
      if (h.uncompressed_page_size < 0)
        return malformed(col_, "negative page size");
      if (static_cast<size_t>(h.uncompressed_page_size) > opts_.max_page_bytes)
        return make_parquet_error(errc::limit_exceeded, "column " + col_.dotted_path() + ": page larger than max_page_bytes");
      const auto body = chunk.substr(pos, static_cast<size_t>(h.compressed_page_size));
      pos += static_cast<size_t>(h.compressed_page_size);
      switch (h.type) {
        case page_type::dictionary_page: FRESHET_TRY(dictionary_page(h, body)); break;
        case page_type::data_page: FRESHET_TRY(data_page_v1(h, body, expected)); break;
        case page_type::data_page_v2: FRESHET_TRY(data_page_v2(h, body, expected)); break;
        default: break; // index pages and future page types carry no values
      }
    }
    if (out_.def.size() != expected)
      return malformed(col_, "chunk holds " + std::to_string(out_.def.size()) + " values, metadata says " + std::to_string(expected));
    return std::move(out_);
  }

 private:
  status dictionary_page(const page_header& h, std::string_view body) {
    if (!h.dictionary)
      return malformed(col_, "dictionary page without its header");
    if (dict_)
      return malformed(col_, "second dictionary page");
    const auto& d = *h.dictionary;
    if (d.value_encoding != encoding::plain && d.value_encoding != encoding::plain_dictionary)
      return make_parquet_error(errc::unsupported, "column " + col_.dotted_path() + ": dictionary page encoding");
    if (d.num_values < 0 || static_cast<size_t>(d.num_values) > opts_.max_values_per_chunk)
      return malformed(col_, "bad dictionary size");
    auto raw = decompress(meta_.codec, body, static_cast<size_t>(h.uncompressed_page_size));
    FRESHET_TRY(raw);
    FRESHET_TRY(charge(static_cast<size_t>(h.uncompressed_page_size) + static_cast<size_t>(d.num_values) * sizeof(value)));
    dict_.emplace();
    auto used = plain_decode(col_, *raw, static_cast<size_t>(d.num_values), *dict_);
    FRESHET_TRY(used);
    return {};
  }

  status check_count(int32_t num_values, uint64_t expected) {
    if (num_values < 0 || static_cast<uint64_t>(num_values) > expected - out_.def.size())
      return malformed(col_, "page holds more values than the chunk");
    return charge(static_cast<size_t>(num_values) * 2 * sizeof(int16_t));
  }

  /// Counts decoded memory against `max_chunk_memory` before it is allocated.
  status charge(size_t bytes) {
    memory_ += bytes;
    if (memory_ > opts_.max_chunk_memory)
      return make_parquet_error(errc::limit_exceeded, "column " + col_.dotted_path() + ": decoded chunk exceeds max_chunk_memory");
    return {};
  }

  status data_page_v1(const page_header& h, std::string_view body, uint64_t expected) {
    if (!h.data)
      return malformed(col_, "data page without its header");
    const auto& d = *h.data;
    FRESHET_TRY(check_count(d.num_values, expected));
    const auto n = static_cast<size_t>(d.num_values);
    auto page = decompress(meta_.codec, body, static_cast<size_t>(h.uncompressed_page_size));
    FRESHET_TRY(page);
    std::string_view p{*page};
    size_t pos = 0;
    if (col_.max_rep > 0) {
      if (d.repetition_level_encoding != encoding::rle)
        return make_parquet_error(errc::unsupported, "column " + col_.dotted_path() + ": repetition levels not RLE");
      auto block = prefixed_block(col_, p, pos);
      FRESHET_TRY(block);
      FRESHET_TRY(decode_levels(col_, *block, col_.max_rep, n, out_.rep));
    } else {
      out_.rep.insert(out_.rep.end(), n, 0);
    }
    if (col_.max_def > 0) {
      if (d.definition_level_encoding != encoding::rle)
        return make_parquet_error(errc::unsupported, "column " + col_.dotted_path() + ": definition levels not RLE");
      auto block = prefixed_block(col_, p, pos);
      FRESHET_TRY(block);
      FRESHET_TRY(decode_levels(col_, *block, col_.max_def, n, out_.def));
    } else {
      out_.def.insert(out_.def.end(), n, 0);
    }
    return values(d.value_encoding, p.substr(pos), n);
  }

  status data_page_v2(const page_header& h, std::string_view body, uint64_t expected) {
    if (!h.data_v2)
      return malformed(col_, "v2 data page without its header");
    const auto& d = *h.data_v2;
    FRESHET_TRY(check_count(d.num_values, expected));
    const auto n = static_cast<size_t>(d.num_values);
    if (d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0 ||
        static_cast<uint64_t>(d.repetition_levels_byte_length) + static_cast<uint64_t>(d.definition_levels_byte_length) > body.size())
      return malformed(col_, "v2 level lengths exceed the page");
    const auto rep_len = static_cast<size_t>(d.repetition_levels_byte_length);
    const auto def_len = static_cast<size_t>(d.definition_levels_byte_length);
    FRESHET_TRY(decode_levels(col_, body.substr(0, rep_len), col_.max_rep, n, out_.rep));
    FRESHET_TRY(decode_levels(col_, body.substr(rep_len, def_len), col_.max_def, n, out_.def));
    const auto rest = body.substr(rep_len + def_len);
    if (!d.is_compressed || meta_.codec == compression_codec::uncompressed)
      return values(d.value_encoding, rest, n);
    const int64_t raw_size = int64_t{h.uncompressed_page_size} - static_cast<int64_t>(rep_len + def_len);
    if (raw_size < 0)
      return malformed(col_, "v2 page smaller than its levels");
    auto raw = decompress(meta_.codec, rest, static_cast<size_t>(raw_size));
    FRESHET_TRY(raw);
    return values(d.value_encoding, *raw, n);
  }

  /// Decodes the values of the page's last `n` entries (those at the maximum definition level).
  status values(encoding enc, std::string_view data, size_t n) {
    const size_t first = out_.def.size() - n;
    size_t present = 0;
    for (size_t i = first; i < out_.def.size(); ++i)
      present += out_.def[i] == col_.max_def ? 1 : 0;
    switch (enc) {
      case encoding::plain: {
        FRESHET_TRY(charge(present * sizeof(value) + data.size()));
        auto used = plain_decode(col_, data, present, out_.values);
        FRESHET_TRY(used);
        return {};
      }
      case encoding::plain_dictionary:
      case encoding::rle_dictionary: {
        if (!dict_)
          return malformed(col_, "dictionary-encoded page without a dictionary");
        if (present == 0)
          return {};
        if (data.empty())
          return malformed(col_, "dictionary page data is empty");
        const int width = static_cast<uint8_t>(data[0]);
        if (width > 32)
          return malformed(col_, "dictionary index width above 32");
        rle_decoder dec{reinterpret_cast<const uint8_t*>(data.data()) + 1, data.size() - 1, width};
        uint32_t batch[1024];
        while (present > 0) {
          const size_t k = std::min<size_t>(present, std::size(batch));
          if (!dec.get(batch, k))
            return malformed(col_, "dictionary indices end early");
          for (size_t i = 0; i < k; ++i) {
            if (batch[i] >= dict_->size())
              return malformed(col_, "dictionary index out of range");
            const value& v = (*dict_)[batch[i]];
            FRESHET_TRY(charge(sizeof(value) + v.as_bytes().size()));
            out_.values.push_back(v);
          }
          present -= k;
        }
        return {};
      }
      case encoding::rle: {
        if (col_.physical != physical_type::boolean)
          return make_parquet_error(errc::unsupported, "column " + col_.dotted_path() + ": RLE values on a non-boolean column");
        size_t pos = 0;
        auto block = prefixed_block(col_, data, pos);
        FRESHET_TRY(block);
        rle_decoder dec{reinterpret_cast<const uint8_t*>(block->data()), block->size(), 1};
        uint32_t batch[1024];
        while (present > 0) {
          const size_t k = std::min<size_t>(present, std::size(batch));
          if (!dec.get(batch, k))
            return malformed(col_, "RLE booleans end early");
          FRESHET_TRY(charge(k * sizeof(value)));
          for (size_t i = 0; i < k; ++i)
            out_.values.push_back(value::boolean(batch[i] != 0));
          present -= k;
        }
        return {};
      }
      case encoding::delta_binary_packed: {
        if (col_.physical != physical_type::int32 && col_.physical != physical_type::int64)
          return malformed(col_, "DELTA_BINARY_PACKED on a column that is not int32/int64");
        FRESHET_TRY(charge(present * sizeof(value)));
        std::vector<int64_t> ints;
        auto used = delta_binary_decode(data, present, col_.physical == physical_type::int32, ints);
        FRESHET_TRY(used);
        if (ints.size() != present)
          return malformed(col_, "DELTA_BINARY_PACKED holds fewer values than the page");
        for (int64_t v : ints)
          out_.values.push_back(col_.physical == physical_type::int32 ? value::int32(static_cast<int32_t>(v)) : value::int64(v));
        return {};
      }
      case encoding::delta_length_byte_array:
      case encoding::delta_byte_array: {
        const bool front = enc == encoding::delta_byte_array;
        if (col_.physical != physical_type::byte_array && !(front && col_.physical == physical_type::fixed_len_byte_array))
          return malformed(col_, "DELTA byte-array encoding on a column of another type");
        FRESHET_TRY(charge(present * sizeof(value)));
        size_t budget = opts_.max_chunk_memory - memory_;
        const size_t before = budget;
        std::vector<std::string> strings;
        FRESHET_TRY(front ? delta_byte_array_decode(data, present, budget, strings) : delta_length_decode(data, present, budget, strings));
        FRESHET_TRY(charge(before - budget));
        for (auto& v : strings)
          out_.values.push_back(value::bytes(std::move(v)));
        return {};
      }
      case encoding::byte_stream_split: {
        const size_t width = col_.physical == physical_type::int32 || col_.physical == physical_type::float_    ? 4
                             : col_.physical == physical_type::int64 || col_.physical == physical_type::double_ ? 8
                             : col_.physical == physical_type::fixed_len_byte_array ? static_cast<size_t>(col_.type_length)
                                                                                     : 0;
        if (width == 0)
          return malformed(col_, "BYTE_STREAM_SPLIT on a column without a fixed width");
        FRESHET_TRY(charge(present * sizeof(value) + data.size()));
        std::string plain;
        FRESHET_TRY(byte_stream_split_decode(data, present, width, plain));
        auto used = plain_decode(col_, plain, present, out_.values);
        FRESHET_TRY(used);
        return {};
      }
      default:
        return make_parquet_error(errc::unsupported,
                                  "column " + col_.dotted_path() + ": value encoding " + std::to_string(static_cast<int>(enc)));
    }
  }

  const column_descriptor& col_;
  const column_meta_data& meta_;
  const reader_options& opts_;
  std::optional<std::vector<value>> dict_;
  column_data out_;
  size_t memory_ = 0;
};

} // namespace

result<column_data> read_column_chunk(input& in, const column_descriptor& column, const column_meta_data& meta,
                                      const reader_options& options) {
  if (!codec_supported(meta.codec))
    return make_parquet_error(errc::unsupported,
                              "column " + column.dotted_path() + ": compression codec " + std::to_string(static_cast<int>(meta.codec)));
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 && *meta.dictionary_page_offset < start)
    start = *meta.dictionary_page_offset;
  if (start < 0 || meta.total_compressed_size < 0 || static_cast<uint64_t>(start) > in.size() ||
      static_cast<uint64_t>(meta.total_compressed_size) > in.size() - static_cast<uint64_t>(start))
    return malformed(column, "chunk lies outside the file");
  std::string scratch;
  auto chunk = in.read_at(static_cast<uint64_t>(start), static_cast<size_t>(meta.total_compressed_size), scratch);
  FRESHET_TRY(chunk);
  return chunk_decoder{column, meta, options}.run(*chunk);
}

} // namespace freshet::parquet
