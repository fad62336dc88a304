#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/schema/cached_registry.hpp"
#include "services/ingest/catalog_holder.hpp"

namespace freshet::ingest {

/// Re-reads each stream's latest schema every `period_ms` on its own thread and swaps in a new
/// catalogue when a subject has a newer version, so that a schema evolved in the registry is used
/// for JSON without restarting ingest. A failed refresh keeps the current catalogue.
class schema_refresh {
 public:
  schema_refresh(schema::cached_registry& registry, catalog_holder& holder, int64_t period_ms);
  ~schema_refresh();

  schema_refresh(const schema_refresh&) = delete;
  schema_refresh& operator=(const schema_refresh&) = delete;

  void stop();

 private:
  void run();

  schema::cached_registry& registry_;
  catalog_holder& holder_;
  int64_t period_ms_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace freshet::ingest
