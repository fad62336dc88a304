#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/base/result.hpp"
#include "common/serving/metric_store.hpp"
#include "freshet/v1/rollup.pb.h"
#include "services/aggregate/aggregate_probe.hpp"

namespace freshet::aggregate {

/// Where committed rollups are served from: Redis in the service (`redis_sink`), a map in tests.
/// Writes must be versioned (only a higher revision replaces a stored one).
class serving_sink {
 public:
  virtual ~serving_sink() = default;
  [[nodiscard]] virtual result<serving::metric_store::write_report> write(std::span<const v1::Rollup> rollups) = 0;
};

class redis_sink final : public serving_sink {
 public:
  explicit redis_sink(serving::metric_store& store) : store_(store) {}
  result<serving::metric_store::write_report> write(std::span<const v1::Rollup> rollups) override {
    return store_.write(rollups);
  }

 private:
  serving::metric_store& store_;
};

/// A rollup that reached the serving store: its outbox record (see rollup_processor) may go.
struct served_entry {
  int32_t partition = 0;
  std::string outbox_key;
  uint64_t revision = 0;
};

/// Writes committed rollups to the serving store in commit order, keeping what fails for the next
/// attempt (with a growing pause, so a dead Redis does not stall the stage on every call). Owned
/// by the stage actor (not thread-safe).
class serving_writer {
 public:
  serving_writer(serving_sink& sink, aggregate_probe* probe, size_t backlog_limit, std::function<int64_t()> clock);

  void enqueue(int32_t partition, std::string outbox_key, v1::Rollup rollup);
  /// Writes what is queued unless a recent failure says to wait.
  void flush();
  /// Rollups written since the last call.
  [[nodiscard]] std::vector<served_entry> take_served() { return std::exchange(served_, {}); }
  /// True (once) when the backlog overflowed and was dropped: the caller re-queues from its outbox.
  [[nodiscard]] bool take_overflow() { return std::exchange(overflowed_, false); }
  [[nodiscard]] size_t backlog() const { return queue_.size(); }

 private:
  struct pending {
    int32_t partition;
    std::string outbox_key;
    v1::Rollup rollup;
  };

  serving_sink& sink_;
  aggregate_probe* probe_;
  size_t backlog_limit_;
  std::function<int64_t()> clock_;
  std::deque<pending> queue_;
  std::vector<served_entry> served_;
  bool overflowed_ = false;
  int64_t retry_at_ms_ = 0;
  int64_t backoff_ms_ = 0;
};

} // namespace freshet::aggregate
