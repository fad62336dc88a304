// window_operator: snapshot, restore and the changelog records.
//
// Layout. Window record: key = group key + big-endian start (see detail::record_key), value =
// detail::encode_window. Meta record: key "", value = version, spec fingerprint, watermark
// tracker, early-emission schedule, counters. A snapshot is a versioned list of records (meta
// first, then windows in key order), so a snapshot and a RocksDB scan restore the same way.

#include <algorithm>

#include "common/window/errc.hpp"
#include "common/window/window_operator.hpp"

namespace freshet::window {

using detail::key_state;
using detail::timer;
using detail::window_state;

namespace {

constexpr uint8_t meta_version = 1;
constexpr uint8_t snapshot_magic = 0xF5;
constexpr uint8_t snapshot_version = 1;

void encode_stats(const operator_stats& s, byte_writer& w) {
  for (uint64_t v : {s.events, s.filtered, s.on_time, s.late_accepted, s.too_late, s.emissions, s.windows_opened,
                     s.windows_closed, s.sessions_merged})
    w.varint(v);
}

void decode_stats(operator_stats& s, byte_reader& in) {
  for (uint64_t* v : {&s.events, &s.filtered, &s.on_time, &s.late_accepted, &s.too_late, &s.emissions,
                      &s.windows_opened, &s.windows_closed, &s.sessions_merged})
    *v = in.varint();
}

} // namespace

std::string window_operator::encode_meta() const {
  std::string out;
  byte_writer w(out);
  w.u8(meta_version);
  w.fixed64(fingerprint_);
  tracker_.encode(w);
  w.svarint(next_early_ms_);
  encode_stats(stats_, w);
  return out;
}

status window_operator::decode_meta(std::string_view bytes) {
  byte_reader in(bytes);
  auto version = in.u8();
  auto fingerprint = in.fixed64();
  FRESHET_TRY(in.check("operator meta record"));
  if (version != meta_version)
    return make_window_error(errc::bad_version, "operator meta version " + std::to_string(version));
  if (fingerprint != fingerprint_)
    return make_window_error(errc::spec_mismatch, "state of metric '" + spec_.name +
                                                    "' was written under a different spec");
  FRESHET_TRY(tracker_.decode(in));
  next_early_ms_ = in.svarint();
  decode_stats(stats_, in);
  FRESHET_TRY(in.check("operator meta record"));
  if (!in.at_end())
    return make_window_error(errc::invalid_state, "bytes left after the operator meta record");
  return {};
}

std::string window_operator::snapshot() const {
  // Windows in record-key order: the bytes depend on the state only, not on its history.
  std::vector<std::pair<std::string, const window_state*>> windows;
  windows.reserve(open_windows_);
  for (const auto& [key, ks] : keys_)
    for (const auto& [start, w] : ks.windows)
      windows.emplace_back(detail::record_key(key, start), &w);
  std::sort(windows.begin(), windows.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  byte_writer w(out);
  w.u8(snapshot_magic);
  w.u8(snapshot_version);
  w.bytes(encode_meta());
  w.varint(windows.size());
  std::string value;
  for (const auto& [key, state] : windows) {
    w.bytes(key);
    value.clear();
    byte_writer vw(value);
    detail::encode_window(*state, vw);
    w.bytes(value);
  }
  return out;
}

status window_operator::restore(std::string_view snapshot) {
  byte_reader in(snapshot);
  auto magic = in.u8();
  auto version = in.u8();
  FRESHET_TRY(in.check("operator snapshot"));
  if (magic != snapshot_magic || version != snapshot_version)
    return make_window_error(errc::bad_version, "not an operator snapshot of version 1");
  std::vector<record_view> records; // views into `snapshot`: no copies
  records.push_back({"", in.bytes()});
  auto n = in.count(2);
  records.reserve(n + 1);
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    auto key = in.bytes();
    auto value = in.bytes();
    records.push_back({key, value});
  }
  FRESHET_TRY(in.check("operator snapshot"));
  if (!in.at_end())
    return make_window_error(errc::invalid_state, "bytes left after the operator snapshot");
  return restore_views(records);
}

status window_operator::restore(std::span<const state_record> records) {
  std::vector<record_view> views;
  views.reserve(records.size());
  for (const auto& r : records)
    views.push_back({r.key, r.value});
  return restore_views(views);
}

void window_operator::clear_state() {
  keys_.clear();
  finals_.clear();
  expiries_.clear();
  dirty_.clear();
  pending_.clear();
  open_windows_ = 0;
  stats_ = {};
  next_early_ms_ = no_watermark;
  tracker_ = watermark_tracker(spec_.out_of_orderness_ms, spec_.idle_timeout_ms);
}

status window_operator::restore_views(std::span<const record_view> records) {
  clear_state();
  auto meta = std::find_if(records.begin(), records.end(), [](const record_view& r) { return r.first.empty(); });
  auto fail = [this](error e) {
    clear_state();
    return e;
  };
  if (meta == records.end())
    return fail(make_window_error(errc::invalid_state, "operator state without a meta record"));
  if (auto st = decode_meta(meta->second); !st.ok())
    return fail(st.err());
  for (const auto& [key, value] : records) {
    if (key.empty())
      continue;
    if (auto st = restore_window(key, value); !st.ok())
      return fail(st.err());
  }
  return {};
}

status window_operator::restore_window(std::string_view key, std::string_view value) {
  std::string_view group;
  int64_t start = 0;
  if (!detail::split_record_key(key, group, start))
    return make_window_error(errc::invalid_state, "malformed window record key");
  window_state w;
  w.bounds.start = start;
  byte_reader in(value);
  FRESHET_TRY(detail::decode_window(in, w, layout_));
  if (!in.at_end())
    return make_window_error(errc::invalid_state, "bytes left after a window record");

  auto it = keys_.find(group);
  if (it == keys_.end()) {
    key_state ks;
    if (!detail::parse_group_key(group, spec_.group_by.size(), ks.dims))
      return make_window_error(errc::invalid_state, "malformed group key");
    it = keys_.emplace(std::string(group), std::move(ks)).first;
  }
  auto& windows = it->second.windows;
  if (windows.contains(start))
    return make_window_error(errc::invalid_state, "window record listed twice");
  if (session_ && !overlapping(windows, w.bounds).empty())
    return make_window_error(errc::invalid_state, "overlapping session records");
  const bool dirty = w.dirty;
  w.dirty = false;
  auto& placed = windows.emplace(start, std::move(w)).first->second;
  ++open_windows_;
  std::string_view k = it->first;
  add_timers(k, placed.bounds);
  if (dirty)
    mark_dirty(k, placed);
  return {};
}

void window_operator::take_changes(std::vector<state_change>& out) {
  for (const auto& [id, alive] : pending_) {
    state_change c;
    c.key = detail::record_key(id.first, id.second);
    if (alive) {
      auto kit = keys_.find(id.first);
      auto& w = kit->second.windows.at(id.second);
      w.changed = false;
      std::string value;
      byte_writer vw(value);
      detail::encode_window(w, vw);
      c.value = std::move(value);
    }
    out.push_back(std::move(c));
  }
  pending_.clear();
  out.push_back(state_change{"", encode_meta()});
}

} // namespace freshet::window
