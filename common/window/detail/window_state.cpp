#include "common/window/detail/window_state.hpp"

namespace freshet::window::detail {

namespace {

constexpr uint8_t window_record_version = 1;

} // namespace

void encode_dims(std::span<const std::string_view> dims, std::string& out) {
  byte_writer w(out);
  for (auto d : dims)
    w.bytes(d);
}

std::string record_key(std::string_view group_key, int64_t start) {
  std::string out;
  out.reserve(group_key.size() + 8);
  out.append(group_key);
  auto u = static_cast<uint64_t>(start) ^ (uint64_t{1} << 63);
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
  return out;
}

bool split_record_key(std::string_view key, std::string_view& group_key, int64_t& start) {
  if (key.size() < 8)
    return false;
  group_key = key.substr(0, key.size() - 8);
  uint64_t u = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i)
    u = (u << 8) | static_cast<uint8_t>(key[i]);
  start = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  return true;
}

bool parse_group_key(std::string_view group_key, size_t n_dims, std::vector<std::string>& dims) {
  byte_reader in(group_key);
  dims.clear();
  for (size_t i = 0; i < n_dims; ++i)
    dims.emplace_back(in.bytes());
  return in.ok() && in.at_end();
}

void encode_window(const window_state& w, byte_writer& out) {
  out.u8(window_record_version);
  out.svarint(w.bounds.end);
  out.varint(w.revision);
  out.u8(static_cast<uint8_t>((w.final_emitted ? 1 : 0) | (w.dirty ? 2 : 0)));
  out.varint(w.emitted.size());
  for (const auto& b : w.emitted) {
    out.svarint(b.start);
    out.svarint(b.end);
  }
  out.varint(w.aggs.size());
  for (size_t i = 0; i < w.aggs.size(); ++i)
    serialize_to(w.aggs[i], out);
}

status decode_window(byte_reader& in, window_state& w, const aggregator_layout& layout) {
  auto version = in.u8();
  FRESHET_TRY(in.check("window record"));
  if (version != window_record_version)
    return make_window_error(errc::bad_version, "window record version " + std::to_string(version));
  w.bounds.end = in.svarint();
  w.revision = in.varint();
  auto flags = in.u8();
  if (flags > 3)
    in.fail(errc::invalid_state);
  w.final_emitted = (flags & 1) != 0;
  w.dirty = (flags & 2) != 0;
  auto n_emitted = in.count(2);
  w.emitted.clear();
  for (uint64_t i = 0; i < n_emitted && in.ok(); ++i) {
    window_bounds b;
    b.start = in.svarint();
    b.end = in.svarint();
    w.emitted.push_back(b);
  }
  auto n_aggs = in.count(2);
  FRESHET_TRY(in.check("window record"));
  if (n_aggs != layout.size())
    return make_window_error(errc::spec_mismatch, "window record with another number of aggregations");
  w.aggs = aggregator_block(layout);
  for (size_t i = 0; i < layout.size(); ++i)
    FRESHET_TRY(deserialize_into(in, w.aggs[i]));
  if (w.bounds.end <= w.bounds.start)
    return make_window_error(errc::invalid_state, "window ends before it starts");
  return {};
}

} // namespace freshet::window::detail
