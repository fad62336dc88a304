#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/redis/client.hpp"
#include "common/serving/metric_store.hpp"
#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"
#include "services/aggregate/aggregate_probe.hpp"
#include "services/aggregate/rollup_processor.hpp"
#include "services/aggregate/serving_writer.hpp"

namespace freshet::aggregate {

/// Reads the enriched topic and keeps every metric of the pipeline spec (plus the built-in
/// per-stream event counts) in event-time windows: an exactly-once stateful stage whose operator
/// state lives in RocksDB and a changelog topic, emitting rollups and late events in the same
/// transaction, and writing committed rollups to the Redis serving store.
///
/// Wiring order: Redis client and store → probe → processor → stage. The stage (registered last
/// with the runtime) is drained first at stop, so its final commit still reaches Redis.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::unique_ptr<redis::client> redis_;
  std::unique_ptr<serving::metric_store> store_;
  std::unique_ptr<redis_sink> sink_;
  std::unique_ptr<aggregate_probe> probe_;
  std::unique_ptr<rollup_processor> processor_;
  stream::stage_actor stage_;
};

} // namespace freshet::aggregate
