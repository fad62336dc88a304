#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/redis/client.hpp"
#include "common/serving/count_store.hpp"
#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"

namespace freshet::aggregate {

/// Reads the enriched topic and keeps event counts per stream in tumbling event-time windows in
/// the serving store. The walking skeleton's aggregation: the windowing engine (watermarks,
/// lateness, sketches, changelog state) replaces `count_batch` and the store.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  std::unique_ptr<redis::client> redis_;
  std::unique_ptr<serving::count_store> store_;
  stream::stage_actor stage_;
};

} // namespace freshet::aggregate
