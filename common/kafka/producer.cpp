#include "common/kafka/producer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include "common/kafka/detail/rdkafka_glue.hpp"
#include "common/log/logger.hpp"

namespace freshet::kafka {

/// librdkafka calls this on the poll thread for every record; the opaque is the caller's callback.
class delivery_dispatcher : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& msg) override {
    std::unique_ptr<delivery_fn> fn{static_cast<delivery_fn*>(msg.msg_opaque())};
    if (!fn || !*fn)
      return;
    delivery_report report;
    report.ok = msg.err() == RdKafka::ERR_NO_ERROR;
    if (!report.ok)
      report.err = detail::to_error(msg.err(), "delivery to " + msg.topic_name());
    report.partition = msg.partition();
    report.offset = msg.offset();
    (*fn)(report);
  }
};

result<std::unique_ptr<producer>> producer::create(const config_map& cfg) {
  auto conf = detail::make_conf(cfg);
  if (!conf)
    return conf.err();
  std::unique_ptr<producer> p{new producer};
  p->dispatcher_ = std::make_unique<delivery_dispatcher>();
  std::string err;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(p->dispatcher_.get()), err) !=
      RdKafka::Conf::CONF_OK)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, err);
  p->handle_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!p->handle_)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, "cannot create producer: " + err);
  p->poller_ = std::thread{[raw = p.get()] { raw->poll_loop(); }};
  return p;
}

producer::~producer() {
  if (handle_) {
    auto st = flush(10000);
    if (!st.ok())
      FRESHET_LOG(warn, log::get("kafka"), "producer closed with {} records undelivered", handle_->outq_len());
  }
  stopping_ = true;
  if (poller_.joinable())
    poller_.join();
  if (handle_)
    handle_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  if (handle_)
    handle_->poll(0); // serve the purge reports so every callback runs once
}

void producer::poll_loop() {
  while (!stopping_)
    handle_->poll(50);
}

status producer::produce(outgoing_record rec, delivery_fn on_delivery) {
  RdKafka::Headers* hdrs = nullptr;
  if (!rec.headers.empty()) {
    hdrs = RdKafka::Headers::create();
    for (const auto& h : rec.headers)
      hdrs->add(h.key, h.value.data(), h.value.size());
  }
  auto* opaque = new delivery_fn(std::move(on_delivery));
  auto code = handle_->produce(rec.topic, rec.partition < 0 ? RdKafka::Topic::PARTITION_UA : rec.partition,
                               RdKafka::Producer::RK_MSG_COPY, rec.value.data(), rec.value.size(),
                               rec.key.empty() ? nullptr : rec.key.data(), rec.key.size(), rec.timestamp_ms, hdrs,
                               opaque);
  if (code != RdKafka::ERR_NO_ERROR) {
    delete opaque;
    delete hdrs; // on failure ownership stays with us
    return detail::to_error(code, "produce to " + rec.topic);
  }
  return {};
}

status producer::flush(int timeout_ms) {
  auto code = handle_->flush(timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "flush");
  return {};
}

int producer::queue_length() const {
  return handle_->outq_len();
}

} // namespace freshet::kafka
