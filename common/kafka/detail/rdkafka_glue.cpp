#include "common/kafka/detail/rdkafka_glue.hpp"

#include "common/log/logger.hpp"

namespace freshet::kafka::detail {

void event_logger::event_cb(RdKafka::Event& event) {
  static auto logger = log::get("kafka");
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      if (event.fatal())
        FRESHET_LOG(critical, logger, "fatal librdkafka error: {} ({})", event.str(), RdKafka::err2str(event.err()));
      else
        FRESHET_LOG(warn, logger, "librdkafka: {} ({})", event.str(), RdKafka::err2str(event.err()));
      break;
    case RdKafka::Event::EVENT_LOG:
      if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING)
        FRESHET_LOG(warn, logger, "librdkafka {}: {}", event.fac(), event.str());
      else
        FRESHET_LOG(debug, logger, "librdkafka {}: {}", event.fac(), event.str());
      break;
    default:
      break;
  }
}

event_logger& shared_event_logger() {
  static event_logger instance;
  return instance;
}

result<std::unique_ptr<RdKafka::Conf>> make_conf(const config_map& cfg) {
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  for (const auto& [k, v] : cfg)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, "config " + k + "=" + v + ": " + err);
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&shared_event_logger()), err) != RdKafka::Conf::CONF_OK)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, err);
  return conf;
}

error to_error(RdKafka::ErrorCode code, const std::string& context) {
  return make_error(error_domain::kafka, static_cast<int>(code), context + ": " + RdKafka::err2str(code),
                    is_transient(code));
}

bool is_transient(RdKafka::ErrorCode code) {
  switch (code) {
    case RdKafka::ERR__QUEUE_FULL:
    case RdKafka::ERR__TRANSPORT:
    case RdKafka::ERR__ALL_BROKERS_DOWN:
    case RdKafka::ERR__TIMED_OUT:
    case RdKafka::ERR_REQUEST_TIMED_OUT:
    case RdKafka::ERR__MSG_TIMED_OUT:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS:
    case RdKafka::ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RdKafka::ERR_LEADER_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_LEADER_FOR_PARTITION:
    case RdKafka::ERR_NETWORK_EXCEPTION:
    case RdKafka::ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RdKafka::ERR_COORDINATOR_NOT_AVAILABLE:
    case RdKafka::ERR_NOT_COORDINATOR:
    case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
      return true;
    default:
      return false;
  }
}

consumed_record to_record(RdKafka::Message& m) {
  consumed_record r;
  r.topic = m.topic_name();
  r.partition = m.partition();
  r.offset = m.offset();
  r.timestamp_ms = m.timestamp().timestamp;
  if (m.key())
    r.key = *m.key();
  if (m.payload())
    r.value.assign(static_cast<const char*>(m.payload()), m.len());
  else
    r.tombstone = true;
  if (auto* hdrs = m.headers()) {
    for (const auto& h : hdrs->get_all())
      r.headers.push_back({h.key(), h.value() ? std::string{static_cast<const char*>(h.value()), h.value_size()}
                                              : std::string{}});
  }
  return r;
}

} // namespace freshet::kafka::detail
