#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/service/runtime.hpp"
#include "services/compaction/actors.hpp"

namespace freshet::compaction {

class dlq_writer;
class lake_probe;

/// The lake writer (issue 6): `events.enriched` into one Delta table per stream and `rollups` into
/// one per metric, exactly once through `txn` actions. OPTIMIZE / Z-order / VACUUM and backfill come
/// next, on `common/lake`.
///
/// Wiring, in dependency order: the lake folder; the `tables:` spec; the probe; the DLQ producer;
/// the tables (opened or created, schemas evolved); the sink actor with its consumer. Teardown in
/// reverse: the actor commits what is open and leaves the group, then the DLQ producer flushes.
class application {
 public:
  application();
  ~application();
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::unique_ptr<lake_probe> probe_;
  std::unique_ptr<dlq_writer> dlq_;
  lake_sink_actor sink_;
};

} // namespace freshet::compaction
