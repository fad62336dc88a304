#pragma once

// What every Freshet benchmark measures and how it reports it, so that later stages' benchmarks
// produce figures (and JSON) that compare one to one with the Kafka baseline. See bench/README.md.

#include <chrono>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace freshet::bench {

using clk = std::chrono::steady_clock;
using json = nlohmann::ordered_json; // keeps the report's keys in a readable order

[[nodiscard]] double seconds_between(clk::time_point a, clk::time_point b);

/// Wall time, this process's CPU and (when a pid is known) the broker's CPU, read at one moment.
struct meters {
  clk::time_point wall;
  double cpu = 0;         ///< this process, all threads (ours and librdkafka's), user + system
  double broker_cpu = -1; ///< the broker JVM, all threads; negative when unknown
};

/// `broker_pid` <= 0: the broker's CPU is not read.
[[nodiscard]] meters read_meters(int broker_pid);

/// One benchmark round: the difference of two meter readings, plus benchmark-specific facts.
struct measurement {
  int64_t events = 0;
  double seconds = 0;
  double cpu_s = 0;
  double broker_cpu_s = -1; ///< negative: not measured
  json details = json::object();
};

[[nodiscard]] measurement between(const meters& start, const meters& end, int64_t events);
[[nodiscard]] double rate(const measurement& m); ///< events per second
[[nodiscard]] double per_million(double cpu_s, int64_t events);

/// The round with the median events/s, whole (its CPU figures belong to its own rate); the other
/// rounds' rates are kept in details as events_per_s_rounds and spread.
[[nodiscard]] measurement median_run(std::vector<measurement> rounds);

/// One entry of a report's "results" object (schema in bench/README.md).
[[nodiscard]] json result_json(const measurement& m, int64_t event_bytes);

/// The 1-minute load average: other work on the box shows up here, and as noisy rates.
[[nodiscard]] double load_average_1m();

/// Cores, CPU model, memory, kernel.
[[nodiscard]] json machine_json();

} // namespace freshet::bench
