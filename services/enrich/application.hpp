#pragma once

#include <map>
#include <string>

#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"

namespace freshet::enrich {

/// Reads the valid topic and writes enriched events. Today events pass unchanged; reference-table
/// lookups and derived fields plug into `enrich_batch` without changing the wiring.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  stream::stage_actor stage_;
};

/// The enrichment batch step: one output per input, to `enriched_topic`.
[[nodiscard]] std::vector<kafka::outgoing_record> enrich_batch(const std::vector<kafka::consumed_record>& batch,
                                                               const std::string& enriched_topic);

} // namespace freshet::enrich
