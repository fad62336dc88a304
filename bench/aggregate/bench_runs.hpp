#pragma once

// The aggregate benchmark's runs. See aggregate_bench.cpp for what each measures.

#include <cstdint>
#include <string>

#include "bench/measure.hpp"

namespace freshet::bench::aggregate {

struct run_options {
  std::string bootstrap;
  int broker_pid = 0;
  int64_t processor_events = 1'000'000;
  /// Records per processor call in the processor-alone run: the stage's max_batch, what its polls
  /// return while it works through a backlog (as in the stage run).
  size_t processor_batch = 5000;
  int64_t stage_events = 400'000;
  int latency_rate = 10'000;    ///< events per second offered during the latency run
  int latency_seconds = 20;
  int64_t early_ms = 1000;      ///< early results of the throughput runs
  int64_t latency_early_ms = 100;
  int64_t restore_events = 500'000;
};

/// The processor alone (no Kafka, state in memory): events per second per core (thread CPU).
[[nodiscard]] json run_processor_only(const run_options& o);

/// The whole stage on the broker: exactly-once transactions, RocksDB + changelog, the processor.
[[nodiscard]] json run_stage_throughput(const run_options& o);

/// Events offered at a fixed rate with event time = now: from produce to the first committed
/// rollup (read_committed) whose count includes the event.
[[nodiscard]] json run_latency(const run_options& o);

/// A large state (a high-cardinality third dimension) built by one instance, then restored by a
/// fresh one from the changelog into an empty RocksDB, and the operators rebuilt from it.
[[nodiscard]] json run_restore(const run_options& o);

} // namespace freshet::bench::aggregate
