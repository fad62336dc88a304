#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"
#include "services/enrich/actors.hpp"
#include "services/enrich/reference_table.hpp"

namespace freshet::enrich {

class enrich_probe;

/// Where a table starts reading: from where its store left off, or from scratch.
struct start_plan {
  bool rebuild = true;
  std::string why;                             ///< for the log
  std::vector<kafka::partition_offset> from;   ///< next_offset < 0 = the partition's beginning
};

/// Decides between resuming and rebuilding. A store is resumed only when it was loaded from the
/// same topic, key and range columns (`fingerprint`), was current no longer than `max_age_ms` ago
/// (below the topic's `delete.retention.ms`, so no tombstone it has not seen can have been
/// compacted away), and every stored offset lies within its partition's watermarks (a recreated
/// or truncated topic forces a rebuild). `max_age_ms` 0 always rebuilds.
/// `watermarks[p]` is partition p's (low, high).
[[nodiscard]] start_plan plan_start(const reference_table::stored_state& stored, const std::string& fingerprint,
                                    const std::string& topic,
                                    const std::vector<std::pair<int64_t, int64_t>>& watermarks, int64_t now_ms,
                                    int64_t max_age_ms);

struct table_loader_options {
  std::string topic;
  int32_t partitions = 1;
  std::string key_field;        ///< used when a record has no Kafka key
  std::string fingerprint;
  kafka::config_map consumer;   ///< read_committed consumer settings (its group is never joined)
  int64_t resume_max_age_ms = 0;
  int watermark_timeout_ms = 15000;
};

/// Prepares `table` (resume or rebuild, synchronously, so that errors surface at wiring) and
/// spawns its loader. The table is marked caught up by the loader.
[[nodiscard]] result<table_loader_actor> spawn_table_loader(caf::actor_system& sys,
                                                            std::shared_ptr<reference_table> table,
                                                            table_loader_options opts, enrich_probe& probe);

/// Sends `stop` and waits for the answer (bounded by `timeout_ms`). For `on_stop` hooks.
void stop_table_loader(caf::actor_system& sys, const table_loader_actor& loader, int timeout_ms);

} // namespace freshet::enrich
