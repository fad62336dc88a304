#include "services/aggregate/window_counter.hpp"

namespace freshet::aggregate {

std::map<std::pair<int64_t, std::string>, int64_t> count_batch(const std::vector<kafka::consumed_record>& batch,
                                                               const serving::count_store& store) {
  std::map<std::pair<int64_t, std::string>, int64_t> counts;
  for (const auto& rec : batch) {
    const auto* stream = rec.find_header(kafka::headers::stream);
    counts[{store.window_start(rec.timestamp_ms), stream ? *stream : std::string{"unknown"}}] += 1;
  }
  return counts;
}

} // namespace freshet::aggregate
