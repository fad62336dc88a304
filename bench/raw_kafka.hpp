#pragma once

// Plumbing the Kafka benchmarks share (freshet-kafka-baseline, freshet-stage-bench): throw-on-error
// helpers (a benchmark either measures or stops) and raw librdkafka handles made from the services'
// own client settings.

#include <memory>
#include <stdexcept>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"

namespace freshet::bench {

/// The value of `r`, or a runtime_error naming `what`.
template <class T>
T take(result<T> r, const std::string& what) {
  if (!r.ok())
    throw std::runtime_error(what + ": " + r.err().describe());
  return std::move(*r);
}

/// A librdkafka config made from one of common/kafka's maps, untouched: the services' settings.
[[nodiscard]] std::unique_ptr<RdKafka::Conf> rdkafka_conf(const kafka::config_map& cfg);

/// Connects `p` and has it learn `topic`'s partition leaders now, before any clock starts. A fresh
/// producer otherwise holds its first records until librdkafka's once-a-second topic scan fetches
/// the metadata: about 1 s of startup per producer that is not throughput. Keep the handle alive
/// while producing so the topic stays known.
[[nodiscard]] std::unique_ptr<RdKafka::Topic> learn_topic(RdKafka::Producer& p, const std::string& topic);

} // namespace freshet::bench
