#pragma once

#include <memory>
#include <string>

#include <librdkafka/rdkafkacpp.h>

#include "common/base/result.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/record.hpp"

namespace freshet::kafka::detail {

/// Routes librdkafka's log and error events to the "kafka" spdlog logger.
class event_logger : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override;
};

/// The process-wide event logger (stateless, so one instance serves every client).
event_logger& shared_event_logger();

/// Builds a global RdKafka::Conf from `cfg`; unknown or invalid keys are errors.
[[nodiscard]] result<std::unique_ptr<RdKafka::Conf>> make_conf(const config_map& cfg);

/// Converts a librdkafka error code at the adapter boundary.
[[nodiscard]] error to_error(RdKafka::ErrorCode code, const std::string& context);

/// True for errors librdkafka recovers from by itself or that a retry may fix.
[[nodiscard]] bool is_transient(RdKafka::ErrorCode code);

/// A fetched message as a `consumed_record` (key, value or tombstone, timestamp, headers).
[[nodiscard]] consumed_record to_record(RdKafka::Message& m);

} // namespace freshet::kafka::detail
