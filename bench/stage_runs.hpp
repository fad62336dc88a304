#pragma once

// The pipelines the stage benchmark compares, each reading one input topic and writing fresh
// output topics in a fresh consumer group: a raw librdkafka consume→produce loop, and the stage
// runtime (common/stream) in at-least-once and exactly-once mode around a stage's processor.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/measure.hpp"
#include "bench/stage_common.hpp"
#include "bench/stage_processors.hpp"

namespace caf {
class actor_system;
} // namespace caf

namespace freshet::bench::stage {

enum class mode { raw, at_least_once, exactly_once };
[[nodiscard]] const char* to_string(mode m);

/// What a running pipeline reports to the thread that watches it. Counters are written by the
/// pipeline's own thread (the raw loop or the stage actor).
struct progress {
  std::atomic<int64_t> records{0}; ///< input records processed (repeats after a rewind count again)
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> process_ns{0}; ///< inside the processor (zero for the raw loop)
  /// Called once, on the pipeline's thread, when its first non-empty batch arrives (before it is
  /// processed): where a throughput clock starts.
  std::function<void()> on_first_batch;
};

/// One pipeline running in the background until `stop`.
class running_pipeline {
 public:
  virtual ~running_pipeline() = default;
  /// Stops it (the stage: `stop_stage`, which commits what is open) and waits until it is gone.
  virtual void stop() = 0;
  /// Facts about the run for the report: batches, where the time went, commits.
  [[nodiscard]] virtual json details() const = 0;
  /// Set when the pipeline failed (a fenced stage, a raw loop error).
  [[nodiscard]] virtual std::string error() const = 0;
};

struct pipeline_setup {
  mode how = mode::raw;
  std::string stage = "pass"; ///< the processor (ignored by the raw loop, which forwards)
  std::string input;
  output_topics outputs;
  std::string group;          ///< fresh per run; also the transactional id's prefix
};

/// Starts `spec`. The raw loop runs on a thread of its own; a stage on its own detached actor in
/// `sys`, configured as services/*/ configure theirs (common/service/stage_wiring.cpp).
[[nodiscard]] std::unique_ptr<running_pipeline> start_pipeline(caf::actor_system& sys, const options& o,
                                                               const pipeline_setup& spec, progress& prog);

/// The group's committed offsets on `topic` (read_uncommitted, so it never waits for an open
/// transaction): how the benchmark sees a pipeline finish.
class commit_watcher {
 public:
  commit_watcher(const options& o, const std::string& group, const std::string& topic, int partitions);
  ~commit_watcher();
  /// Sum over partitions of the committed next offsets (a partition without a commit counts 0).
  [[nodiscard]] int64_t committed_total();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Waits until the broker serves every partition of these topics (a ListOffsets request to each
/// leader succeeds), so nobody writes to a partition whose log is still being created.
void wait_until_served(const options& o, const std::vector<std::pair<std::string, int>>& topics);

/// The sum of the end offsets of `topic` (records plus transaction markers).
[[nodiscard]] int64_t end_offsets_total(const options& o, const std::string& topic, int partitions);

} // namespace freshet::bench::stage
