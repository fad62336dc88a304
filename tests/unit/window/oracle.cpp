#include "tests/unit/window/oracle.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace freshet::window::test {

bool passes_filter(const test_event& e) { return !e.v || *e.v % 4 != 0; }

namespace {

constexpr int64_t minus_inf = std::numeric_limits<int64_t>::min();

struct partition_model {
  int64_t max_time = minus_inf;
  int64_t last_active = 0;
};

/// The watermark rules, spelled out: per partition max − bound; min over non-idle partitions; all
/// idle → max; no partitions → unchanged; never decreasing.
struct watermark_model {
  int64_t bound = 0;
  int64_t idle_timeout = 0;
  int64_t now = minus_inf;
  int64_t wm = minus_inf;
  std::map<int32_t, partition_model> parts;

  int64_t of(const partition_model& p) const { return p.max_time == minus_inf ? minus_inf : p.max_time - bound; }
  bool idle(const partition_model& p) const { return idle_timeout > 0 && now - p.last_active >= idle_timeout; }

  void recompute() {
    if (parts.empty())
      return;
    std::vector<int64_t> active, all;
    for (const auto& [id, p] : parts) {
      all.push_back(of(p));
      if (!idle(p))
        active.push_back(of(p));
    }
    int64_t candidate = active.empty() ? *std::max_element(all.begin(), all.end())
                                       : *std::min_element(active.begin(), active.end());
    wm = std::max(wm, candidate);
  }
};

/// All windows [s, s + size) with s on the hop grid holding t, by brute force over the grid.
std::vector<window_bounds> fixed_windows(const window_spec& w, int64_t t) {
  int64_t hop = w.kind == window_kind::tumbling ? w.size_ms : w.hop_ms;
  std::vector<window_bounds> out;
  int64_t k0 = floor_div(t - w.offset_ms - w.size_ms, hop) - 1;
  int64_t k1 = floor_div(t - w.offset_ms, hop) + 1;
  for (int64_t k = k0; k <= k1; ++k) {
    int64_t s = k * hop + w.offset_ms;
    if (s <= t && t < s + w.size_ms)
      out.push_back({s, s + w.size_ms});
  }
  return out;
}

/// Static sessions of one group's accepted events: sorted by time, split where the step >= gap.
std::vector<std::pair<window_bounds, std::vector<test_event>>> sessions_of(std::vector<test_event> events,
                                                                         int64_t gap) {
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  std::vector<std::pair<window_bounds, std::vector<test_event>>> out;
  for (const auto& e : events) {
    if (out.empty() || e.time - out.back().second.back().time >= gap)
      out.push_back({{e.time, e.time + gap}, {}});
    out.back().second.push_back(e);
    out.back().first.end = e.time + gap;
  }
  return out;
}

} // namespace

oracle_result run_oracle(const scenario& s) {
  oracle_result r;
  watermark_model wm;
  wm.bound = s.bound;
  wm.idle_timeout = s.idle_timeout;
  const bool session = s.window.kind == window_kind::session;
  const int64_t gap = s.window.gap_ms;
  std::map<std::pair<group, window_bounds>, std::vector<test_event>> fixed;
  std::map<group, std::vector<test_event>> session_events;
  int64_t next_round = minus_inf; // early results: every early_every ms of processing time, aligned

  for (const auto& st : s.steps) {
    step_truth truth;
    wm.now = std::max(wm.now, st.proc);
    switch (st.what) {
      case test_step::kind::assign:
        if (!wm.parts.count(st.partition))
          wm.parts[st.partition] = partition_model{minus_inf, wm.now};
        break;
      case test_step::kind::revoke:
        wm.parts.erase(st.partition);
        break;
      case test_step::kind::tick:
        break;
      case test_step::kind::event: {
        auto& p = wm.parts[st.e.partition];
        p.max_time = std::max(p.max_time, st.e.time);
        p.last_active = wm.now;
        break;
      }
    }
    wm.recompute();
    const int64_t W = wm.wm;
    if (st.what == test_step::kind::event) {
      const auto& e = st.e;
      group g{e.page, e.country};
      if (s.filter && !passes_filter(e)) {
        ++r.filtered;
      } else if (session) {
        ++r.pairs;
        // Too late when even the event's own gap window is past the allowed lateness.
        if (W != minus_inf && W >= e.time + gap + s.lateness) {
          ++r.too_late;
          truth.late.push_back({g, {e.time, e.time + gap}, e.time});
        } else {
          session_events[g].push_back(e);
        }
      } else {
        for (const auto& w : fixed_windows(s.window, e.time)) {
          ++r.pairs;
          if (W != minus_inf && W >= w.end + s.lateness) {
            ++r.too_late;
            truth.late.push_back({g, w, e.time});
            continue;
          }
          bool late = W != minus_inf && W >= w.end;
          ++(late ? r.late_accepted : r.on_time);
          if (!late)
            truth.touched_open.push_back({g, w});
          auto& events = fixed[{g, w}];
          if (events.empty() && late)
            ++r.windows_first_late;
          events.push_back(e);
        }
      }
    }
    if (s.early_every > 0) {
      if (next_round != minus_inf && st.proc >= next_round)
        truth.early_round = true;
      if (next_round == minus_inf || st.proc >= next_round)
        next_round = floor_div(st.proc, s.early_every) * s.early_every + s.early_every;
    }
    // Windows still held: those with accepted events whose drop deadline W has not reached.
    if (session) {
      for (const auto& [g, events] : session_events) {
        std::vector<int64_t> times;
        for (const auto& e : events)
          times.push_back(e.time);
        std::sort(times.begin(), times.end());
        for (size_t i = 0; i < times.size(); ++i) {
          bool last_of_session = i + 1 == times.size() || times[i + 1] - times[i] >= gap;
          if (last_of_session && (W == minus_inf || W < times[i] + gap + s.lateness + gap))
            ++truth.open_windows;
        }
      }
    } else {
      for (const auto& [key, events] : fixed)
        if (W == minus_inf || W < key.second.end + s.lateness)
          ++truth.open_windows;
    }
    truth.watermark = W;
    r.steps.push_back(std::move(truth));
  }

  if (session) {
    for (const auto& [g, events] : session_events)
      for (auto& [b, members] : sessions_of(events, gap))
        r.finals[{g, b}] = std::move(members);
  } else {
    r.finals = std::move(fixed);
  }
  return r;
}

} // namespace freshet::window::test
