#pragma once

#include <map>
#include <string>

#include "common/service/runtime.hpp"

namespace freshet::compaction {

/// The lake writer and its maintenance jobs. Today: the scaffold only (health, metrics, stop);
/// the Delta sink and OPTIMIZE / Z-order / VACUUM are the lakehouse work.
class application {
 public:
  static std::map<std::string, std::string> defaults();
  [[nodiscard]] status wire_up(service::runtime& rt);
};

} // namespace freshet::compaction
