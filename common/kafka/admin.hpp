#pragma once

#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::kafka {

/// Creates the topics (partitions, cleanup policy, retention) through the Kafka admin API.
/// Topics that already exist are left as they are, so the call is idempotent. Blocks up to
/// `timeout_ms`, retrying while the broker is still starting.
[[nodiscard]] status create_topics(const std::string& bootstrap, const std::vector<config::topic_spec>& topics,
                                   int timeout_ms = 30000);

/// The number of partitions of `topic`, or an error if it does not exist.
[[nodiscard]] result<int32_t> partition_count(const std::string& bootstrap, const std::string& topic,
                                              int timeout_ms = 10000);

} // namespace freshet::kafka
