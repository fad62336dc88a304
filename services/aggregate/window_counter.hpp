#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/kafka/record.hpp"
#include "common/serving/count_store.hpp"

namespace freshet::aggregate {

/// Counts a batch per (window start, stream) by event time (the record timestamp), for the store.
[[nodiscard]] std::map<std::pair<int64_t, std::string>, int64_t> count_batch(
  const std::vector<kafka::consumed_record>& batch, const serving::count_store& store);

} // namespace freshet::aggregate
