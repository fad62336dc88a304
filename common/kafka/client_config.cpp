#include "common/kafka/client_config.hpp"

namespace freshet::kafka {

config_map producer_config(const std::string& bootstrap, const std::string& client_id) {
  return {
    {"bootstrap.servers", bootstrap},
    {"client.id", client_id},
    {"enable.idempotence", "true"},
    {"acks", "all"},
    {"compression.type", "lz4"},
    {"linger.ms", "5"},
    {"batch.num.messages", "10000"},
    {"batch.size", "1000000"},
    {"queue.buffering.max.messages", "200000"},
    {"queue.buffering.max.kbytes", "262144"},
    {"message.timeout.ms", "30000"},
    {"socket.keepalive.enable", "true"},
    {"reconnect.backoff.max.ms", "2000"},
  };
}

config_map consumer_config(const std::string& bootstrap, const std::string& group_id, const std::string& client_id) {
  return {
    {"bootstrap.servers", bootstrap},
    {"group.id", group_id},
    {"client.id", client_id},
    {"enable.auto.commit", "false"},
    {"enable.auto.offset.store", "false"},
    {"isolation.level", "read_committed"},
    {"auto.offset.reset", "earliest"},
    {"partition.assignment.strategy", "cooperative-sticky"},
    {"enable.partition.eof", "false"},
    {"fetch.wait.max.ms", "50"},
    {"fetch.min.bytes", "1"},
    {"session.timeout.ms", "10000"},
    {"heartbeat.interval.ms", "1000"},
    {"socket.keepalive.enable", "true"},
    {"reconnect.backoff.max.ms", "2000"},
  };
}

config_map merged(config_map base, const config_map& overrides) {
  for (const auto& [k, v] : overrides)
    base[k] = v;
  return base;
}

} // namespace freshet::kafka
