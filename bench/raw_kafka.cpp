#include "bench/raw_kafka.hpp"

namespace freshet::bench {

std::unique_ptr<RdKafka::Conf> rdkafka_conf(const kafka::config_map& cfg) {
  std::unique_ptr<RdKafka::Conf> conf{RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL)};
  std::string err;
  for (const auto& [k, v] : cfg)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error("config " + k + "=" + v + ": " + err);
  return conf;
}

std::unique_ptr<RdKafka::Topic> learn_topic(RdKafka::Producer& p, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t{RdKafka::Topic::create(&p, topic, nullptr, err)};
  if (!t)
    throw std::runtime_error("topic handle " + topic + ": " + err);
  RdKafka::Metadata* md = nullptr;
  if (auto code = p.metadata(false, t.get(), &md, 10000); code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("metadata for " + topic + ": " + RdKafka::err2str(code));
  delete md;
  return t;
}

} // namespace freshet::bench
