#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace freshet::testing {

/// Creates uniquely named topics for one test ("<prefix>.<n>.<suffix>") with `partitions` each.
[[nodiscard]] std::vector<std::string> make_topics(const std::string& prefix, const std::vector<std::string>& suffixes,
                                                   int partitions);

/// Produces values "<prefix><i>" for i in [from, to), paced at `per_second` (0 = as fast as
/// possible), on a background thread, with the services' idempotent producer settings. Keyed by i,
/// or by "k<i % keys>" when `keys` > 0.
class sequence_producer {
 public:
  sequence_producer(std::string topic, std::string prefix, int from, int to, int per_second, int keys = 0);
  ~sequence_producer();
  /// Waits until every value is acknowledged; false (with the counts on stderr) if any failed for
  /// good or was never acknowledged, so a test tells a lost input from a lost output.
  bool join();
  [[nodiscard]] int acknowledged() const { return acked_; }

 private:
  std::atomic<int> acked_{0};
  std::atomic<int> failed_{0};
  int total_ = 0;
  std::thread thread_;
};

/// Reads `topic` from the beginning with read_committed in a fresh group until `expected` records
/// arrived and then `settle` passed with nothing new, or `timeout` passed. Value -> occurrences.
[[nodiscard]] std::map<std::string, int> read_committed_values(const std::string& topic, size_t expected,
                                                               std::chrono::milliseconds settle,
                                                               std::chrono::milliseconds timeout);

/// How far `seen` is from exactly once over "<prefix>0" .. "<prefix>(n-1)".
struct exactly_once_report {
  int missing = 0;
  int duplicated = 0;
  int unexpected = 0;
  std::vector<std::string> missing_values; ///< the first few, for the failure message
  [[nodiscard]] bool exact() const { return missing == 0 && duplicated == 0 && unexpected == 0; }
};
[[nodiscard]] exactly_once_report check_exactly_once(const std::map<std::string, int>& seen,
                                                     const std::string& prefix, int n);

} // namespace freshet::testing
