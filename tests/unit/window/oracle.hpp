#pragma once

// A brute-force model of the windowing contract, written independently of window_operator: it
// replays a scenario (events, processing-time ticks, partition assignments) with the plain rules —
// watermark per partition, minimum over active partitions, idle timeout, never backwards — and
// says for every event which windows it lands in and which it misses, and which windows (with
// which events) exist at the end. Sessions are computed statically from the accepted events.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/window/metric_spec.hpp"
#include "common/window/window_bounds.hpp"

namespace freshet::window::test {

struct test_event {
  int32_t partition = 0;
  int64_t time = 0;
  std::string page;
  std::string country;
  std::optional<int64_t> v;
  std::optional<double> r;
  std::optional<std::string> u;
};

struct test_step {
  enum class kind { event, tick, assign, revoke } what = kind::event;
  int64_t proc = 0;
  int32_t partition = 0; ///< assign / revoke
  test_event e;          ///< event
};

struct scenario {
  window_spec window;
  int64_t lateness = 0;
  int64_t bound = 0;
  int64_t idle_timeout = 0;
  int64_t early_every = 0;
  bool filter = false;
  std::vector<test_step> steps;
  int64_t finish_proc = 0;
};

/// The metric's filter in the scenarios that have one: drops events whose v is a multiple of 4.
[[nodiscard]] bool passes_filter(const test_event& e);

using group = std::vector<std::string>;

struct expected_late {
  group dims;
  window_bounds window;
  int64_t event_time = 0;
  bool operator==(const expected_late&) const = default;
};

struct step_truth {
  int64_t watermark = no_watermark;    ///< after the step
  std::vector<expected_late> late;     ///< what the step must report, in window order
  size_t open_windows = 0;             ///< windows that must still be held after the step
  bool early_round = false;            ///< early results are due in this step
  /// Fixed windows that took an on-time event in this step: in an early round, each must emit.
  std::vector<std::pair<group, window_bounds>> touched_open;
};

struct oracle_result {
  std::vector<step_truth> steps;
  uint64_t filtered = 0;
  uint64_t pairs = 0;         ///< (admitted event, window) pairs; sessions: admitted events
  uint64_t on_time = 0;       ///< fixed windows only
  uint64_t late_accepted = 0; ///< fixed windows only
  uint64_t too_late = 0;
  uint64_t windows_first_late = 0; ///< fixed windows whose first event was already late
  /// Every window that must have a final result, with its accepted events.
  std::map<std::pair<group, window_bounds>, std::vector<test_event>> finals;
};

[[nodiscard]] oracle_result run_oracle(const scenario& s);

} // namespace freshet::window::test
