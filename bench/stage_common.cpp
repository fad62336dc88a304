#include "bench/stage_common.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <librdkafka/rdkafkacpp.h>

namespace freshet::bench::stage {

std::string state_root() {
  return (std::filesystem::temp_directory_path() / ("freshet-stage-bench-" + std::to_string(getpid()))).string();
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace freshet::bench::stage
