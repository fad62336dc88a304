#pragma once

// Stage latency under a steady load below capacity, as a downstream reader sees it.

#include <cstdint>

#include "bench/measure.hpp"
#include "bench/stage_events.hpp"
#include "bench/stage_runs.hpp"

namespace freshet::bench::stage {

/// What "latency" means here (also written into the report):
inline constexpr const char* latency_definition =
  "per event: the wall-clock time at which a read_committed consumer of the stage's output topic "
  "(the services' consumer settings, in this process) receives the output record, minus the input "
  "record's timestamp, which the source producer sets to the wall-clock time at which it hands the "
  "event to librdkafka. It covers the source producer's batching (linger.ms) and ack, the stage's "
  "fetch, processing, produce and commit (for exactly-once: until the transaction commits and the "
  "output becomes visible), and the reader's fetch. Millisecond resolution. Only events produced "
  "inside the measured window count; the source produces at a steady rate, one burst per ms.";

struct latency_result {
  int64_t samples = 0;  ///< events produced in the window and received downstream
  int64_t expected = 0; ///< events produced in the window
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  double seconds = 0;       ///< the measured window
  double produced_rate = 0; ///< events/s the source achieved in the window
  double cpu_s_per_million = 0; ///< this process in the window, source and reader included
  json pipeline;            ///< the pipeline's own details (commits, batches)

  [[nodiscard]] json to_json() const;
};

/// Starts `spec` (its input empty and its outputs fresh), feeds it `o.latency_rate` events/s,
/// waits until outputs arrive downstream plus one second, measures `o.latency_seconds`, stops the
/// source, waits for the stragglers and stops the pipeline.
[[nodiscard]] latency_result measure_latency(caf::actor_system& sys, const options& o, const event_pool& pool,
                                             const pipeline_setup& spec);

} // namespace freshet::bench::stage
