#include "services/quality-gate/window_monitor.hpp"

#include <cmath>
#include <iterator>

#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"

namespace freshet::quality_gate {

namespace {

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t align(int64_t t, int64_t w) {
  int64_t q = t / w;
  if (t % w != 0 && t < 0)
    --q;
  return q * w;
}

std::string fmt(double v) {
  return event::as_text(event::value{std::round(v * 10000) / 10000});
}

/// Windows judged at most after a long pause (a stalled process, a clock jump): later ones are skipped.
constexpr int max_catch_up_windows = 60;

} // namespace

void distinct_counter::add(std::string_view value) {
  uint64_t h = mix(std::hash<std::string_view>{}(value));
  if (smallest_.size() < k) {
    smallest_.insert(h);
    return;
  }
  auto last = std::prev(smallest_.end());
  if (h >= *last || smallest_.count(h))
    return;
  smallest_.erase(last);
  smallest_.insert(h);
}

double distinct_counter::estimate() const {
  if (smallest_.size() < k)
    return static_cast<double>(smallest_.size());
  double kth = static_cast<double>(*smallest_.rbegin()) / 18446744073709551616.0;
  return kth > 0 ? static_cast<double>(k - 1) / kth : static_cast<double>(k);
}

window_monitor::window_monitor(const config::expectations_spec& spec, std::function<int64_t()> clock,
                               window_listener listener)
    : clock_(std::move(clock)), listener_(std::move(listener)) {
  int64_t now = clock_();
  for (const auto& e : spec.expectations) {
    if (!config::is_windowed(e.kind))
      continue;
    tracker t;
    t.spec = e;
    t.start = align(now, e.window_ms);
    t.partial = t.start != now;
    by_stream_[e.stream].push_back(trackers_.size());
    trackers_.push_back(std::move(t));
  }
}

bool window_monitor::judge(const tracker& t, int64_t start, window_result& r) {
  using k = config::expectation_kind;
  const auto& s = t.spec;
  r.spec = &t.spec;
  r.start_ms = start;
  r.end_ms = start + s.window_ms;
  std::string span = " in the " + std::to_string(s.window_ms / 1000) + " s window from " + format_utc_ms(start);
  switch (s.kind) {
    case k::row_count:
      r.rows = t.rows;
      r.value = static_cast<double>(t.rows);
      r.violated = (s.min && r.value < *s.min) || (s.max && r.value > *s.max);
      r.message = std::to_string(t.rows) + " events" + span +
                  (s.min && r.value < *s.min ? "; at least " + fmt(*s.min) + " expected"
                   : r.violated             ? "; at most " + fmt(*s.max) + " expected"
                                            : "");
      return true;
    case k::null_ratio:
      if (t.rows < s.min_rows)
        return false;
      r.rows = t.rows;
      r.value = static_cast<double>(t.nulls) / static_cast<double>(t.rows);
      r.violated = r.value > *s.max;
      r.message = "null ratio of " + s.field() + " is " + fmt(r.value) + " over " + std::to_string(t.rows) +
                  " events" + span + (r.violated ? "; at most " + fmt(*s.max) + " allowed" : "");
      return true;
    case k::distinct_ratio:
      if (t.non_null < s.min_rows)
        return false;
      r.rows = t.non_null;
      r.value = std::min(1.0, t.distinct.estimate() / static_cast<double>(t.non_null));
      r.violated = (s.min && r.value < *s.min) || (s.max && r.value > *s.max);
      r.message = "distinct ratio of " + s.field() + " is " + fmt(r.value) + " over " + std::to_string(t.non_null) +
                  " values" + span +
                  (s.min && r.value < *s.min ? "; at least " + fmt(*s.min) + " expected"
                   : r.violated             ? "; at most " + fmt(*s.max) + " expected"
                                            : "");
      return true;
    default: return false;
  }
}

void window_monitor::roll(tracker& t, int64_t now, std::vector<window_result>& out) {
  int64_t w = t.spec.window_ms;
  if (now < t.start + w)
    return;
  window_result r;
  if (!t.partial && judge(t, t.start, r))
    out.push_back(std::move(r));
  t.rows = t.nulls = t.non_null = 0;
  t.distinct.clear();
  t.partial = false;
  int64_t current = align(now, w);
  // Windows in which nothing arrived at all (the stream fell silent): judge them too.
  int judged = 0;
  for (int64_t s = t.start + w; s < current && judged < max_catch_up_windows; s += w, ++judged) {
    window_result empty;
    if (judge(t, s, empty))
      out.push_back(std::move(empty));
  }
  t.start = current;
}

void window_monitor::observe(std::string_view stream, const event::record& ev) {
  if (trackers_.empty())
    return;
  std::vector<window_result> closed;
  {
    std::lock_guard guard{mtx_};
    auto it = by_stream_.find(std::string{stream});
    if (it == by_stream_.end())
      return;
    int64_t now = clock_();
    for (size_t i : it->second) {
      auto& t = trackers_[i];
      roll(t, now, closed);
      ++t.rows;
      if (t.spec.kind == config::expectation_kind::row_count)
        continue;
      const auto* v = ev.get(t.spec.field());
      if (!v || event::is_null(*v)) {
        ++t.nulls;
        continue;
      }
      ++t.non_null;
      if (t.spec.kind == config::expectation_kind::distinct_ratio)
        t.distinct.add(event::as_text(*v));
    }
  }
  for (const auto& r : closed)
    listener_(r);
}

void window_monitor::tick() {
  if (trackers_.empty())
    return;
  std::vector<window_result> closed;
  {
    std::lock_guard guard{mtx_};
    int64_t now = clock_();
    for (auto& t : trackers_)
      roll(t, now, closed);
  }
  for (const auto& r : closed)
    listener_(r);
}

std::string alert_json(const std::string& pipeline, const window_result& r) {
  nlohmann::json j{{"pipeline", pipeline},
                   {"stream", r.spec->stream},
                   {"expectation", r.spec->name},
                   {"kind", to_string(r.spec->kind)},
                   {"value", r.value},
                   {"rows", r.rows},
                   {"window_start", format_utc_ms(r.start_ms)},
                   {"window_end", format_utc_ms(r.end_ms)},
                   {"message", r.message}};
  if (r.spec->min)
    j["min"] = *r.spec->min;
  if (r.spec->max)
    j["max"] = *r.spec->max;
  return j.dump();
}

} // namespace freshet::quality_gate
