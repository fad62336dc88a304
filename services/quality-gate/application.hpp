#pragma once

#include <map>
#include <string>

#include "common/service/runtime.hpp"
#include "common/stream/stage.hpp"

namespace freshet::quality_gate {

/// Reads the raw topic and writes what passes to the valid topic. Today every event passes;
/// expectations (and the quarantine topic) plug into `check_batch` without changing the wiring.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);

 private:
  stream::stage_actor stage_;
};

/// The gate's batch step: one output per input, to `valid_topic`.
[[nodiscard]] std::vector<kafka::outgoing_record> check_batch(const std::vector<kafka::consumed_record>& batch,
                                                              const std::string& valid_topic);

} // namespace freshet::quality_gate
