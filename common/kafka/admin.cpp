#include "common/kafka/admin.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include <librdkafka/rdkafka.h>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"

namespace freshet::kafka {

namespace {

struct rk_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using rk_ptr = std::unique_ptr<rd_kafka_t, rk_deleter>;

result<rk_ptr> admin_client(const std::string& bootstrap) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return make_error(error_domain::kafka, RD_KAFKA_RESP_ERR__INVALID_ARG, errstr);
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk)
    return make_error(error_domain::kafka, RD_KAFKA_RESP_ERR__INVALID_ARG, errstr);
  return rk_ptr{rk};
}

error kafka_error(rd_kafka_resp_err_t code, const std::string& context) {
  return make_error(error_domain::kafka, code, context + ": " + rd_kafka_err2str(code));
}

/// One CreateTopics round; returns the topics that failed with a retriable error.
result<std::vector<config::topic_spec>> create_round(rd_kafka_t* rk, const std::vector<config::topic_spec>& topics,
                                                     int timeout_ms) {
  static auto logger = log::get("kafka.admin");
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> news;
  for (const auto& t : topics) {
    auto* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, 1, errstr, sizeof errstr);
    if (!nt) {
      rd_kafka_NewTopic_destroy_array(news.data(), news.size());
      return make_error(error_domain::kafka, RD_KAFKA_RESP_ERR__INVALID_ARG, t.name + ": " + errstr);
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", t.cleanup.c_str());
    if (t.retention_ms >= 0)
      rd_kafka_NewTopic_set_config(nt, "retention.ms", std::to_string(t.retention_ms).c_str());
    news.push_back(nt);
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, errstr, sizeof errstr);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, errstr, sizeof errstr);
  rd_kafka_CreateTopics(rk, news.data(), news.size(), opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
  std::vector<config::topic_spec> retry;
  result<std::vector<config::topic_spec>> outcome = retry;
  if (!ev) {
    outcome = make_error(error_domain::kafka, RD_KAFKA_RESP_ERR__TIMED_OUT, "CreateTopics timed out", true);
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    auto code = rd_kafka_event_error(ev);
    outcome = make_error(error_domain::kafka, code, std::string{"CreateTopics: "} + rd_kafka_event_error_string(ev),
                         true);
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n && outcome.ok(); ++i) {
      auto code = rd_kafka_topic_result_error(results[i]);
      std::string name = rd_kafka_topic_result_name(results[i]);
      if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
        FRESHET_LOG(info, logger, "created topic {}", name);
      } else if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        FRESHET_LOG(debug, logger, "topic {} exists", name);
      } else if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
                 code == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || code == RD_KAFKA_RESP_ERR__TRANSPORT) {
        for (const auto& t : topics)
          if (t.name == name)
            outcome->push_back(t);
      } else {
        const char* msg = rd_kafka_topic_result_error_string(results[i]);
        outcome = kafka_error(code, "create topic " + name + (msg ? std::string{" ("} + msg + ")" : ""));
      }
    }
  }
  if (ev)
    rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy_array(news.data(), news.size());
  return outcome;
}

} // namespace

status create_topics(const std::string& bootstrap, const std::vector<config::topic_spec>& topics, int timeout_ms) {
  if (topics.empty())
    return {};
  auto rk = admin_client(bootstrap);
  if (!rk)
    return rk.err();
  auto deadline = now_ms() + timeout_ms;
  auto pending = topics;
  while (true) {
    auto left = static_cast<int>(std::max<int64_t>(1000, deadline - now_ms()));
    auto round = create_round(rk->get(), pending, std::min(left, 10000));
    if (round.ok() && round->empty())
      return {};
    if (!round.ok() && !round.err().retriable)
      return round.err();
    if (round.ok())
      pending = std::move(*round);
    if (now_ms() >= deadline)
      return round.ok() ? make_error(error_domain::kafka, RD_KAFKA_RESP_ERR__TIMED_OUT,
                                     "topics still not created: " + pending.front().name, true)
                        : round.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

namespace {

/// One metadata request for `topic`: its partition count, or the topic's error.
result<int32_t> partition_count_once(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  auto code = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(code, "metadata for " + topic);
  result<int32_t> out = make_error(error_domain::kafka, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "no topic " + topic);
  if (md->topic_cnt == 1 && md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
    out = kafka_error(md->topics[0].err, "metadata for " + topic);
  else if (md->topic_cnt == 1 && md->topics[0].partition_cnt > 0)
    out = md->topics[0].partition_cnt;
  else if (md->topic_cnt == 1)
    out = make_error(error_domain::kafka, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, "topic " + topic + " has no partitions yet");
  rd_kafka_metadata_destroy(md);
  return out;
}

} // namespace

result<int32_t> partition_count(const std::string& bootstrap, const std::string& topic, int timeout_ms) {
  auto rk = admin_client(bootstrap);
  if (!rk)
    return rk.err();
  // A topic created moments ago may be unknown to the broker's metadata, or without its partitions,
  // for a moment: asked again within the timeout (an unknown topic for a few seconds at most, so that
  // a topic that really is missing is reported soon).
  auto deadline = now_ms() + timeout_ms;
  auto unknown_deadline = now_ms() + std::min(timeout_ms, 3000);
  for (;;) {
    auto left = static_cast<int>(std::max<int64_t>(500, deadline - now_ms()));
    auto n = partition_count_once(rk->get(), topic, left);
    if (n.ok())
      return n;
    auto code = n.err().code;
    bool not_yet = code == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                   (code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && now_ms() < unknown_deadline);
    if (!not_yet || now_ms() + 200 >= deadline)
      return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

} // namespace freshet::kafka
