#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "common/schema/stream_catalog.hpp"

namespace freshet::ingest {

/// The current stream catalogue: swapped by the schema refresh, read by every publisher. A
/// publisher compares `generation()` (one atomic load per batch) and takes a new snapshot only
/// when it changed. Thread-safe.
class catalog_holder {
 public:
  explicit catalog_holder(std::shared_ptr<const schema::stream_catalog> c) : current_(std::move(c)) {}

  [[nodiscard]] std::shared_ptr<const schema::stream_catalog> get() const {
    std::lock_guard guard{mtx_};
    return current_;
  }
  [[nodiscard]] uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void set(std::shared_ptr<const schema::stream_catalog> c) {
    std::lock_guard guard{mtx_};
    current_ = std::move(c);
    generation_.fetch_add(1, std::memory_order_release);
  }

 private:
  mutable std::mutex mtx_;
  std::shared_ptr<const schema::stream_catalog> current_;
  std::atomic<uint64_t> generation_{0};
};

} // namespace freshet::ingest
