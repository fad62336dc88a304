#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/parquet/options.hpp"

#include "common/service/runtime.hpp"
#include "services/compaction/actors.hpp"

namespace freshet::compaction {

class dlq_writer;
class lake_probe;
class maintenance_probe;

/// The lake writer (issue 6): `events.enriched` into one Delta table per stream and `rollups` into
/// one per metric, exactly once through `txn` actions; and the tables' maintenance beside it.
///
/// Wiring, in dependency order: the lake folder; the `tables:` spec; the probe; the DLQ producer;
/// the tables (opened or created, schemas evolved); the sink actor with its consumer; the
/// maintenance actor (OPTIMIZE / Z-order, VACUUM, log cleanup on its own table handles). Teardown in
/// reverse: maintenance finishes its round, the sink commits what is open and leaves the group,
/// then the DLQ producer flushes.
class application {
 public:
  application();
  ~application();
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  [[nodiscard]] status wire_up_maintenance(service::runtime& rt, const std::string& lake_dir,
                                          std::map<std::string, std::vector<std::string>> zorder_by,
                                          const parquet::writer_options& parquet);

  std::unique_ptr<lake_probe> probe_;
  std::unique_ptr<dlq_writer> dlq_;
  lake_sink_actor sink_;
  std::unique_ptr<maintenance_probe> maintenance_probe_;
  maintenance_actor maintenance_;
};

} // namespace freshet::compaction
