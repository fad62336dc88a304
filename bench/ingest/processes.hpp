#pragma once

// What freshet-ingest-bench needs from the operating system: a child process (freshet-ingest) and
// CPU readings of processes and their threads, from /proc.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace freshet::bench {

/// CPU seconds of the calling thread.
[[nodiscard]] double thread_cpu_s();

/// CPU seconds (user + system) of a whole process, -1 when it cannot be read.
[[nodiscard]] double process_cpu_s(int pid);

/// CPU seconds per thread name of a process (threads of one name summed), from /proc/<pid>/task.
[[nodiscard]] std::map<std::string, double> thread_cpu(int pid);

/// A child process with its stdout and stderr in `log`; stopped with SIGTERM (and waited for) when destroyed.
struct child {
  pid_t pid = -1;
  child(const std::string& bin, const std::vector<std::string>& args, const std::string& log);
  ~child();
  child(const child&) = delete;
  child& operator=(const child&) = delete;
};

/// A port the kernel just handed out (bound to 0, then released).
[[nodiscard]] int free_port();

} // namespace freshet::bench
