#include "services/compaction/application.hpp"

#include <filesystem>

namespace freshet::compaction {

std::map<std::string, std::string> application::defaults() {
  return {
    {"grpc.listen", "0.0.0.0:50111"},
    {"metrics.listen", "0.0.0.0:9100"},
    {"lake.dir", "build/lake"},
  };
}

status application::wire_up(service::runtime& rt) {
  std::error_code ec;
  std::filesystem::create_directories(rt.settings().get("lake.dir"), ec);
  if (ec)
    return make_error(error_domain::io, ec.value(), "cannot create lake.dir: " + ec.message());
  return {};
}

} // namespace freshet::compaction
