#include "common/window/watermark_tracker.hpp"

#include <algorithm>

namespace freshet::window {

void watermark_tracker::assign(partition_id p, int64_t now_ms) {
  tick(now_ms);
  parts_.try_emplace(p.value(), partition_state{no_watermark, now_});
  recompute();
}

void watermark_tracker::revoke(partition_id p, int64_t now_ms) {
  tick(now_ms);
  parts_.erase(p.value());
  recompute();
}

void watermark_tracker::observe(partition_id p, int64_t event_time_ms, int64_t now_ms) {
  tick(now_ms);
  auto& s = parts_[p.value()];
  s.max_event_time = std::max(s.max_event_time, event_time_ms);
  s.last_active_ms = now_;
  recompute();
}

void watermark_tracker::advance(int64_t now_ms) {
  tick(now_ms);
  recompute();
}

void watermark_tracker::tick(int64_t now_ms) { now_ = std::max(now_, now_ms); }

int64_t watermark_tracker::watermark_of(const partition_state& s) const {
  if (s.max_event_time == no_watermark)
    return no_watermark;
  return saturating_add(s.max_event_time, -bound_);
}

bool watermark_tracker::idle(const partition_state& s) const {
  return idle_timeout_ > 0 && now_ - s.last_active_ms >= idle_timeout_;
}

bool watermark_tracker::idle(partition_id p) const {
  auto it = parts_.find(p.value());
  return it != parts_.end() && idle(it->second);
}

int64_t watermark_tracker::partition_watermark(partition_id p) const {
  auto it = parts_.find(p.value());
  return it == parts_.end() ? no_watermark : watermark_of(it->second);
}

void watermark_tracker::recompute() {
  if (parts_.empty() || watermark_ == end_of_time)
    return;
  int64_t active_min = end_of_time;
  int64_t all_max = no_watermark;
  bool any_active = false;
  for (const auto& [id, s] : parts_) {
    int64_t w = watermark_of(s);
    all_max = std::max(all_max, w);
    if (!idle(s)) {
      any_active = true;
      active_min = std::min(active_min, w);
    }
  }
  watermark_ = std::max(watermark_, any_active ? active_min : all_max);
}

void watermark_tracker::encode(byte_writer& out) const {
  out.svarint(now_);
  out.svarint(watermark_);
  out.varint(parts_.size());
  for (const auto& [id, s] : parts_) {
    out.svarint(id);
    out.svarint(s.max_event_time);
    out.svarint(s.last_active_ms);
  }
}

status watermark_tracker::decode(byte_reader& in) {
  int64_t now = in.svarint();
  int64_t wm = in.svarint();
  uint64_t n = in.count(3);
  std::map<int32_t, partition_state> parts;
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    auto id = static_cast<int32_t>(in.svarint());
    partition_state s;
    s.max_event_time = in.svarint();
    s.last_active_ms = in.svarint();
    parts[id] = s;
  }
  FRESHET_TRY(in.check("watermark tracker"));
  now_ = now;
  watermark_ = wm;
  parts_ = std::move(parts);
  return {};
}

} // namespace freshet::window
