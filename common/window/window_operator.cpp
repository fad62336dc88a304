#include "common/window/window_operator.hpp"

#include <algorithm>

#include "common/window/errc.hpp"

namespace freshet::window {

using detail::key_state;
using detail::timer;
using detail::window_state;

result<std::unique_ptr<window_operator>> window_operator::create(metric_spec spec, operator_options options) {
  FRESHET_TRY(validate(spec));
  return std::unique_ptr<window_operator>(new window_operator(std::move(spec), options));
}

window_operator::window_operator(metric_spec spec, operator_options options)
  : spec_(std::move(spec)),
    options_(options),
    input_fields_(spec_.input_fields()),
    layout_(spec_.aggregations),
    session_(spec_.window.kind == window_kind::session),
    tumbling_(spec_.window.size_ms > 0 ? spec_.window.size_ms : 1, spec_.window.offset_ms),
    hopping_(spec_.window.size_ms > 0 ? spec_.window.size_ms : 1,
             spec_.window.hop_ms > 0 ? spec_.window.hop_ms : std::max<int64_t>(spec_.window.size_ms, 1),
             spec_.window.offset_ms),
    session_assigner_(spec_.window.gap_ms),
    fingerprint_(state_fingerprint(spec_)),
    tracker_(spec_.out_of_orderness_ms, spec_.idle_timeout_ms) {
  for (const auto& a : spec_.aggregations) {
    auto it = std::find(input_fields_.begin(), input_fields_.end(), a.field);
    agg_input_.push_back(a.field.empty() ? -1 : static_cast<int>(it - input_fields_.begin()));
  }
}

// --- Inputs ------------------------------------------------------------------------------------

void window_operator::assign(std::span<const partition_id> parts, int64_t processing_time_ms, output_batch& out) {
  for (auto p : parts)
    tracker_.assign(p, processing_time_ms);
  tracker_.advance(processing_time_ms);
  advance(out);
  maybe_early(processing_time_ms, out);
}

void window_operator::revoke(std::span<const partition_id> parts, int64_t processing_time_ms, output_batch& out) {
  for (auto p : parts)
    tracker_.revoke(p, processing_time_ms);
  tracker_.advance(processing_time_ms);
  advance(out);
  maybe_early(processing_time_ms, out);
}

status window_operator::on_event(const event_input& e, output_batch& out) {
  if (e.dims.size() != spec_.group_by.size() || e.values.size() != input_fields_.size())
    return make_window_error(errc::invalid_event, "metric '" + spec_.name + "' expects " +
                                                    std::to_string(spec_.group_by.size()) + " dims and " +
                                                    std::to_string(input_fields_.size()) + " values");
  ++stats_.events;
  // Filtered events still advance the watermark: they are part of their partition's progress.
  tracker_.observe(e.partition, e.event_time_ms, e.processing_time_ms);
  advance(out);
  if (spec_.filter && !spec_.filter(field_row(input_fields_, e.values)))
    ++stats_.filtered;
  else if (session_)
    apply_session(e, out);
  else
    apply_fixed(e, out);
  maybe_early(e.processing_time_ms, out);
  return {};
}

void window_operator::on_tick(int64_t processing_time_ms, output_batch& out) {
  tracker_.advance(processing_time_ms);
  advance(out);
  maybe_early(processing_time_ms, out);
}

void window_operator::finish(int64_t processing_time_ms, output_batch& out) {
  tracker_.advance(processing_time_ms);
  tracker_.finish();
  advance(out);
}

// --- Applying events ---------------------------------------------------------------------------

window_operator::key_ref window_operator::find_or_create_key(std::span<const std::string_view> dims) {
  scratch_key_.clear();
  detail::encode_dims(dims, scratch_key_);
  auto it = keys_.find(scratch_key_);
  if (it == keys_.end()) {
    key_state ks;
    ks.dims.assign(dims.begin(), dims.end());
    it = keys_.emplace(scratch_key_, std::move(ks)).first;
  }
  return {&it->second, it->first};
}

void window_operator::update(window_state& w, std::span<const field_value> values) {
  static const field_value one{int64_t{1}};
  for (size_t i = 0; i < w.aggs.size(); ++i) {
    int idx = agg_input_[i];
    w.aggs[i].add(idx < 0 ? one : values[static_cast<size_t>(idx)]);
  }
}

void window_operator::report_late(const event_input& e, const window_bounds& w, output_batch& out) {
  ++stats_.too_late;
  late_event l;
  l.metric = spec_.name;
  l.dims.assign(e.dims.begin(), e.dims.end());
  l.window = w;
  l.event_time_ms = e.event_time_ms;
  l.watermark_ms = tracker_.watermark();
  l.reason = late_reason::beyond_allowed_lateness;
  out.late.push_back(std::move(l));
}

void window_operator::open_window(key_ref k, window_state& w) {
  w.aggs = aggregator_block(layout_);
  ++stats_.windows_opened;
  ++open_windows_;
  add_timers(k.key, w.bounds);
}

void window_operator::accepted(key_ref k, window_state& w, std::span<const field_value> values, output_batch& out) {
  const int64_t wm = tracker_.watermark();
  if (wm >= w.bounds.end)
    ++stats_.late_accepted;
  else
    ++stats_.on_time;
  update(w, values);
  note_changed(k.key, w);
  if (wm >= w.bounds.end)
    emit(k.key, *k.state, w, w.final_emitted ? emission_kind::late : emission_kind::final, out);
  else
    mark_dirty(k.key, w);
}

void window_operator::apply_fixed(const event_input& e, output_batch& out) {
  scratch_windows_.clear();
  if (spec_.window.kind == window_kind::tumbling)
    scratch_windows_.push_back(tumbling_.assign(e.event_time_ms));
  else
    hopping_.assign(e.event_time_ms, scratch_windows_);
  const int64_t wm = tracker_.watermark();
  key_ref k;
  for (const auto& b : scratch_windows_) {
    if (wm >= saturating_add(b.end, spec_.allowed_lateness_ms)) {
      report_late(e, b, out);
      continue;
    }
    if (k.state == nullptr)
      k = find_or_create_key(e.dims);
    auto [it, created] = k.state->windows.try_emplace(b.start);
    if (created) {
      it->second.bounds = b;
      open_window(k, it->second);
    }
    accepted(k, it->second, e.values, out);
  }
}

void window_operator::apply_session(const event_input& e, output_batch& out) {
  const window_bounds proto = session_assigner_.proto(e.event_time_ms);
  if (tracker_.watermark() >= saturating_add(proto.end, spec_.allowed_lateness_ms)) {
    report_late(e, proto, out);
    return;
  }
  key_ref k = find_or_create_key(e.dims);
  auto hits = overlapping(k.state->windows, proto);
  window_state* target = nullptr;
  if (hits.empty()) {
    auto [it, created] = k.state->windows.try_emplace(proto.start);
    (void)created; // no session overlaps proto, so none starts at proto.start
    it->second.bounds = proto;
    open_window(k, it->second);
    target = &it->second;
  } else {
    window_bounds merged = proto;
    for (auto& h : hits) {
      merged.start = std::min(merged.start, h->second.bounds.start);
      merged.end = std::max(merged.end, h->second.bounds.end);
    }
    if (hits.size() == 1 && merged == hits.front()->second.bounds)
      target = &hits.front()->second;
    else {
      merge_sessions(k, hits, merged);
      target = &k.state->windows.at(merged.start);
    }
  }
  accepted(k, *target, e.values, out);
}

void window_operator::merge_sessions(key_ref k, std::vector<std::map<int64_t, window_state>::iterator>& hits,
                                     const window_bounds& merged) {
  auto& windows = k.state->windows;
  window_state& target = hits.front()->second;
  const window_bounds old = target.bounds;
  // Dirty marks go with the old bounds; accepted() marks the merged session again right after.
  clear_dirty(k.key, target);
  remove_timers(k.key, old);
  for (size_t i = 1; i < hits.size(); ++i) {
    window_state& other = hits[i]->second;
    for (size_t a = 0; a < target.aggs.size(); ++a) {
      auto st = target.aggs[a].merge(other.aggs[a]);
      (void)st; // same spec on both sides: never incompatible
    }
    target.revision = std::max(target.revision, other.revision);
    target.final_emitted = target.final_emitted || other.final_emitted;
    target.emitted.insert(target.emitted.end(), other.emitted.begin(), other.emitted.end());
    clear_dirty(k.key, other);
    remove_timers(k.key, other.bounds);
    note_erased(k.key, other.bounds.start);
    windows.erase(hits[i]);
    --open_windows_;
    ++stats_.sessions_merged;
  }
  if (merged.start != old.start) {
    auto node = windows.extract(old.start);
    node.key() = merged.start;
    windows.insert(std::move(node));
    note_erased(k.key, old.start);
  }
  window_state& w = windows.at(merged.start);
  w.bounds = merged;
  w.changed = false; // re-record under the (possibly new) start
  note_changed(k.key, w);
  add_timers(k.key, merged);
}

// --- Time --------------------------------------------------------------------------------------

int64_t window_operator::expiry_of(const window_bounds& b) const {
  int64_t keep = spec_.allowed_lateness_ms + (session_ ? spec_.window.gap_ms : 0);
  return saturating_add(b.end, keep);
}

void window_operator::add_timers(std::string_view key, const window_bounds& b) {
  if (tracker_.watermark() < b.end)
    finals_.insert(timer{b.end, key, b.start});
  expiries_.insert(timer{expiry_of(b), key, b.start});
}

void window_operator::remove_timers(std::string_view key, const window_bounds& b) {
  finals_.erase(timer{b.end, key, b.start});
  expiries_.erase(timer{expiry_of(b), key, b.start});
}

void window_operator::advance(output_batch& out) {
  const int64_t wm = tracker_.watermark();
  while (!finals_.empty() && finals_.begin()->at <= wm) {
    timer t = *finals_.begin();
    finals_.erase(finals_.begin());
    auto& ks = keys_.find(t.key)->second;
    auto& w = ks.windows.at(t.start);
    emit(t.key, ks, w, w.final_emitted ? emission_kind::late : emission_kind::final, out);
  }
  while (!expiries_.empty() && expiries_.begin()->at <= wm) {
    timer t = *expiries_.begin();
    expiries_.erase(expiries_.begin());
    expire(t);
  }
}

void window_operator::expire(const timer& t) {
  auto kit = keys_.find(t.key);
  auto& ks = kit->second;
  auto wit = ks.windows.find(t.start);
  clear_dirty(kit->first, wit->second);
  note_erased(kit->first, t.start);
  ks.windows.erase(wit);
  --open_windows_;
  ++stats_.windows_closed;
  if (ks.windows.empty())
    keys_.erase(kit); // no timer refers to this key any more
}

void window_operator::maybe_early(int64_t processing_time_ms, output_batch& out) {
  const int64_t every = spec_.emit.early_every_ms;
  if (every <= 0)
    return;
  if (next_early_ms_ != no_watermark && processing_time_ms < next_early_ms_)
    return;
  if (next_early_ms_ != no_watermark) {
    // Ordered by (group key, start): deterministic, and the same after a restore.
    auto due = std::move(dirty_);
    dirty_.clear();
    for (const auto& d : due) {
      auto& ks = keys_.find(d.key)->second;
      auto& w = ks.windows.at(d.start);
      w.dirty = false; // already out of dirty_
      emit(d.key, ks, w, emission_kind::early, out);
    }
  }
  next_early_ms_ = saturating_add(floor_div(processing_time_ms, every) * every, every);
}

// --- Emissions and bookkeeping -----------------------------------------------------------------

void window_operator::emit(std::string_view key, const key_state& ks, window_state& w, emission_kind kind,
                           output_batch& out) {
  clear_dirty(key, w);
  ++w.revision;
  if (kind != emission_kind::early)
    w.final_emitted = true;
  emission e;
  e.metric = spec_.name;
  e.dims = ks.dims;
  e.window = w.bounds;
  e.revision = w.revision;
  e.kind = kind;
  e.watermark_ms = tracker_.watermark();
  e.values.reserve(w.aggs.size());
  for (size_t i = 0; i < w.aggs.size(); ++i)
    e.values.push_back(w.aggs[i].value());
  if (spec_.emit.include_state)
    for (size_t i = 0; i < w.aggs.size(); ++i)
      e.states.push_back(serialize(w.aggs[i]));
  if (session_) {
    for (const auto& b : w.emitted)
      if (b != w.bounds && std::find(e.replaces.begin(), e.replaces.end(), b) == e.replaces.end())
        e.replaces.push_back(b);
    w.emitted.assign(1, w.bounds);
  }
  ++stats_.emissions;
  out.emissions.push_back(std::move(e));
  note_changed(key, w); // revision and flags are state too
}

void window_operator::reemit_open_windows() {
  if (spec_.emit.early_every_ms <= 0)
    return;
  for (auto& [key, ks] : keys_)
    for (auto& [start, w] : ks.windows)
      if (!w.final_emitted)
        mark_dirty(key, w);
}

void window_operator::mark_dirty(std::string_view key, window_state& w) {
  if (w.dirty)
    return;
  w.dirty = true;
  if (spec_.emit.early_every_ms > 0)
    dirty_.insert(timer{0, key, w.bounds.start});
}

void window_operator::clear_dirty(std::string_view key, window_state& w) {
  if (!w.dirty)
    return;
  w.dirty = false;
  if (spec_.emit.early_every_ms > 0)
    dirty_.erase(timer{0, key, w.bounds.start});
}

void window_operator::note_changed(std::string_view key, window_state& w) {
  if (!options_.track_changes || w.changed)
    return;
  w.changed = true;
  pending_[{std::string(key), w.bounds.start}] = true;
}

void window_operator::note_erased(std::string_view key, int64_t start) {
  if (!options_.track_changes)
    return;
  pending_[{std::string(key), start}] = false;
}

} // namespace freshet::window
