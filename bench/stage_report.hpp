#pragma once

// The stage benchmark's report: medians, ratios against the targets of issue 4, the printed table
// and the JSON (schema_version 1, as bench/README.md describes for every benchmark).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bench/measure.hpp"
#include "bench/stage_latency.hpp"
#include "bench/stage_runs.hpp"
#include "bench/stage_threads.hpp"

namespace freshet::bench::stage {

/// Issue 4's targets, on events/s of the median rounds.
inline constexpr double eos_vs_alo_target = 0.8;
inline constexpr double eos_vs_raw_target = 0.6;

/// One thing to measure: a result key, the mode, and the stage's processor.
struct run_plan {
  std::string key; ///< "raw_consume_produce", "stage_<stage>_at_least_once", "stage_<stage>_exactly_once"
  mode how = mode::raw;
  std::string stage = "pass";
};

/// The raw loop, then at-least-once and exactly-once for each stage.
[[nodiscard]] std::vector<run_plan> plan_runs(const std::vector<std::string>& stages);

/// Everything measured, by result key.
struct report {
  double load_at_start = -1;
  double load_at_end = -1;
  std::vector<run_plan> plans;
  std::map<std::string, std::vector<measurement>> rounds; ///< in round order
  std::map<std::string, latency_result> latency;
  std::vector<std::pair<std::string, std::string>> skipped; ///< stage, why
};

[[nodiscard]] json build_report(const options& o, const report& r);
void print_report(const options& o, const json& doc);
void write_report(const options& o, const json& doc);

} // namespace freshet::bench::stage
