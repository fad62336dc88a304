#pragma once

// Where a run's CPU goes, by thread: this process's threads read from /proc/self/task.

#include <map>
#include <string>

#include "bench/measure.hpp"

namespace freshet::bench::stage {

/// CPU seconds (user + system) of every live thread of this process, by thread id.
struct thread_times {
  struct entry {
    std::string name;
    double cpu_s = 0;
  };
  std::map<int, entry> by_tid;
};

[[nodiscard]] thread_times read_thread_times();
[[nodiscard]] int current_tid();

/// CPU seconds spent between two readings, split into the pipeline's own thread (`pipeline_tid`:
/// the stage actor or the raw loop, which polls, processes, enqueues and commits), librdkafka's
/// threads ("rdk:*": fetching, compression, sending, acks) and everything else (CAF's scheduler,
/// the producer's poll thread, the benchmark's watcher). Threads that ended in between are missing.
[[nodiscard]] json cpu_by_thread(const thread_times& start, const thread_times& end, int pipeline_tid);

} // namespace freshet::bench::stage
