#pragma once

// What the parts of freshet-stage-bench share: its options, the state folder, and (from
// bench/raw_kafka.hpp) the throw-on-error helpers and raw librdkafka plumbing. See bench/README.md.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "bench/raw_kafka.hpp"
#include "common/kafka/client_config.hpp"

namespace RdKafka {
class Conf;
class Producer;
class Topic;
} // namespace RdKafka

namespace freshet::bench::stage {

struct options {
  std::string bootstrap;
  int64_t events = 250'000;      ///< pre-filled input events, read by every throughput run
  int rounds = 3;                ///< throughput rounds; the median is reported
  int64_t warmup_events = 50'000; ///< through the raw loop and an exactly-once stage first, unmeasured
  int partitions = 6;
  int64_t event_bytes = 200;
  int commit_interval_ms = 100;  ///< exactly-once transactions (the services' default)
  size_t max_batch = 5000;       ///< stage.max_batch (the services' default)
  size_t max_txn_records = 50000; ///< stage.max_txn_records (the services' default)
  int latency_rate = 5000;       ///< events/s produced during a latency phase
  int latency_seconds = 10;      ///< measured seconds per latency phase; 0 skips the phase
  std::vector<std::string> stages = {"pass", "quality_gate", "quality_gate_dedupe", "enrich"};
  std::string pipeline_spec = "examples/clickstream/pipeline.yaml"; ///< streams + expectations (quality_gate)
  std::string baseline;          ///< baseline.json of the same run, for vs_baseline; empty = none
  int broker_pid = 0;
  std::string broker_version = "unknown";
  std::string git_rev = "unknown";
  std::string run_id;
  std::string out = "build/bench/stage.json";
};

inline void check(const status& s, const std::string& what) {
  if (!s.ok())
    throw std::runtime_error(what + ": " + s.err().describe());
}

/// Where stateful stages of this process keep their stores (a folder per run beneath it).
[[nodiscard]] std::string state_root();

/// Wall clock in milliseconds since the epoch: the unit of Kafka record timestamps.
[[nodiscard]] int64_t wall_ms();

} // namespace freshet::bench::stage
