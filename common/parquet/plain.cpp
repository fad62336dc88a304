#include "common/parquet/plain.hpp"

#include <algorithm>

#include "common/parquet/error.hpp"

namespace freshet::parquet {

void plain_append(physical_type type, const value& v, std::string& out) {
  switch (type) {
    case physical_type::int32: put_le<int32_t>(v.as_int32(), out); break;
    case physical_type::int64: put_le<int64_t>(v.as_int64(), out); break;
    case physical_type::float_: put_le<float>(v.as_float(), out); break;
    case physical_type::double_: put_le<double>(v.as_double(), out); break;
    case physical_type::byte_array:
      put_le<uint32_t>(static_cast<uint32_t>(v.as_bytes().size()), out);
      out.append(v.as_bytes());
      break;
    case physical_type::fixed_len_byte_array:
    case physical_type::int96: out.append(v.as_bytes()); break;
    case physical_type::boolean: out.push_back(v.as_bool() ? 1 : 0); break;
  }
}

std::string stat_bytes(physical_type type, const value& v) {
  if (type == physical_type::byte_array)
    return v.as_bytes();
  std::string out;
  plain_append(type, v, out);
  return out;
}

namespace {

value make_value(const column_descriptor& c, const uint8_t* p, size_t n) {
  switch (c.physical) {
    case physical_type::int32: return value::int32(get_le<int32_t>(p));
    case physical_type::int64: return value::int64(get_le<int64_t>(p));
    case physical_type::float_: return value::float32(get_le<float>(p));
    case physical_type::double_: return value::float64(get_le<double>(p));
    case physical_type::boolean: return value::boolean(*p != 0);
    default: return value::bytes(std::string(reinterpret_cast<const char*>(p), n));
  }
}

size_t fixed_width(const column_descriptor& c) {
  switch (c.physical) {
    case physical_type::int32:
    case physical_type::float_: return 4;
    case physical_type::int64:
    case physical_type::double_: return 8;
    case physical_type::int96: return 12;
    case physical_type::fixed_len_byte_array: return static_cast<size_t>(c.type_length);
    default: return 0;
  }
}

} // namespace

result<size_t> plain_decode(const column_descriptor& c, std::string_view data, size_t count, std::vector<value>& out) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t size = data.size();
  if (c.physical == physical_type::boolean) {
    if (count > size * 8)
      return make_parquet_error(errc::malformed, "PLAIN booleans: page too short");
    for (size_t i = 0; i < count; ++i)
      out.push_back(value::boolean((p[i / 8] >> (i % 8)) & 1));
    return (count + 7) / 8;
  }
  if (c.physical == physical_type::byte_array) {
    size_t pos = 0;
    out.reserve(out.size() + std::min(count, size / 4));
    for (size_t i = 0; i < count; ++i) {
      if (size - pos < 4)
        return make_parquet_error(errc::malformed, "PLAIN byte array: truncated length");
      const uint32_t n = get_le<uint32_t>(p + pos);
      pos += 4;
      if (n > size - pos)
        return make_parquet_error(errc::malformed, "PLAIN byte array: value longer than the page");
      out.push_back(value::bytes(std::string(reinterpret_cast<const char*>(p + pos), n)));
      pos += n;
    }
    return pos;
  }
  const size_t w = fixed_width(c);
  if (w == 0 || count > size / w)
    return make_parquet_error(errc::malformed, "PLAIN values: page too short");
  out.reserve(out.size() + count);
  for (size_t i = 0; i < count; ++i)
    out.push_back(make_value(c, p + i * w, w));
  return count * w;
}

std::optional<value> decode_stat_value(const column_descriptor& c, std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (c.physical == physical_type::byte_array)
    return value::bytes(std::string(bytes));
  if (c.physical == physical_type::boolean) {
    if (bytes.empty())
      return std::nullopt;
    return value::boolean(p[0] != 0);
  }
  const size_t w = fixed_width(c);
  if (w == 0 || bytes.size() != w)
    return std::nullopt;
  return make_value(c, p, w);
}

} // namespace freshet::parquet
