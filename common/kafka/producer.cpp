#include "common/kafka/producer.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include "common/kafka/consumer.hpp"
#include "common/kafka/detail/rdkafka_glue.hpp"
#include "common/log/logger.hpp"

namespace freshet::kafka {

namespace {

/// `produce` with a `delivery_fn`: the function travels in a target of its own, freed once called.
struct function_target final : delivery_target {
  explicit function_target(delivery_fn f) : fn(std::move(f)) {
    on_delivery = [](delivery_target& self, const delivery_report& report) {
      std::unique_ptr<function_target> owned{static_cast<function_target*>(&self)};
      if (owned->fn)
        owned->fn(report);
    };
  }
  delivery_fn fn;
};

} // namespace

/// librdkafka calls this on the poll thread for every record; the opaque is the caller's target.
class delivery_dispatcher : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& msg) override {
    auto* target = static_cast<delivery_target*>(msg.msg_opaque());
    if (!target)
      return;
    delivery_report report;
    report.ok = msg.err() == RdKafka::ERR_NO_ERROR;
    if (!report.ok)
      report.err = detail::to_error(msg.err(), "delivery to " + msg.topic_name());
    report.partition = msg.partition();
    report.offset = msg.offset();
    target->on_delivery(*target, report);
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
  if (handle_ && !discarded_) {
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
  for (auto& [name, rkt] : topics_)
    rd_kafka_topic_destroy(rkt);
}

void producer::poll_loop() {
  while (!stopping_)
    handle_->poll(50);
}

status producer::produce(const outgoing_record& rec, delivery_fn on_delivery) {
  auto target = std::make_unique<function_target>(std::move(on_delivery));
  auto st = enqueue(rec, target.get());
  if (st.ok())
    (void) target.release(); // freed by its own callback
  return st;
}

status producer::produce(const outgoing_record& rec, delivery_target& target) {
  return enqueue(rec, &target);
}

rd_kafka_topic_t* producer::topic_handle(const std::string& name) {
  std::lock_guard guard{topics_mtx_};
  if (auto it = topics_.find(name); it != topics_.end())
    return it->second;
  auto* rkt = rd_kafka_topic_new(handle_->c_ptr(), name.c_str(), nullptr);
  if (rkt)
    topics_.emplace(name, rkt);
  return rkt;
}

// Through the C API, with a topic handle kept per name: producing by name (all the C++ API offers
// with headers and timestamps) takes the client's global write lock for a topic lookup on every
// record, and wraps the headers in one more allocated object.
status producer::enqueue(const outgoing_record& rec, delivery_target* target) {
  auto* rkt = topic_handle(rec.topic);
  if (!rkt)
    return detail::to_error(static_cast<RdKafka::ErrorCode>(rd_kafka_last_error()), "topic " + rec.topic);
  rd_kafka_headers_t* hdrs = nullptr;
  if (!rec.headers.empty()) {
    hdrs = rd_kafka_headers_new(rec.headers.size());
    for (const auto& h : rec.headers)
      rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
  }
  auto code = rd_kafka_producev(
    handle_->c_ptr(), RD_KAFKA_V_RKT(rkt),
    RD_KAFKA_V_PARTITION(rec.partition < 0 ? RD_KAFKA_PARTITION_UA : rec.partition),
    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
    RD_KAFKA_V_VALUE(rec.tombstone ? nullptr : const_cast<char*>(rec.value.data()), rec.tombstone ? 0 : rec.value.size()),
    RD_KAFKA_V_KEY(rec.key.empty() ? nullptr : rec.key.data(), rec.key.size()), RD_KAFKA_V_TIMESTAMP(rec.timestamp_ms),
    RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(target), RD_KAFKA_V_END);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (hdrs)
      rd_kafka_headers_destroy(hdrs); // on failure ownership stays with us
    return detail::to_error(static_cast<RdKafka::ErrorCode>(code), "produce to " + rec.topic);
  }
  return {};
}

status producer::flush(int timeout_ms) {
  auto code = handle_->flush(timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "flush");
  return {};
}

namespace {

txn_result classify(RdKafka::Error* raw, const char* what) {
  std::unique_ptr<RdKafka::Error> e{raw};
  txn_result r;
  if (!e)
    return r;
  r.message = std::string{what} + ": " + e->str();
  if (e->is_fatal()) {
    r.outcome = txn_outcome::fatal;
    r.fenced = e->code() == RdKafka::ERR__FENCED || e->code() == RdKafka::ERR_PRODUCER_FENCED ||
               e->code() == RdKafka::ERR_INVALID_PRODUCER_EPOCH;
  } else if (e->txn_requires_abort()) {
    r.outcome = txn_outcome::abort;
  } else if (e->is_retriable()) {
    r.outcome = txn_outcome::retry;
  } else {
    // Neither retriable nor abortable: librdkafka documents these as application errors (e.g.
    // a call in the wrong state); treat them like an abort so the stage rewinds.
    r.outcome = txn_outcome::abort;
  }
  return r;
}

} // namespace

txn_result producer::init_transactions(int timeout_ms) {
  return classify(handle_->init_transactions(timeout_ms), "init_transactions");
}

txn_result producer::begin_transaction() {
  return classify(handle_->begin_transaction(), "begin_transaction");
}

txn_result producer::send_offsets_to_transaction(const std::vector<partition_offset>& offsets, consumer& c,
                                                 int timeout_ms) {
  if (offsets.empty())
    return {};
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& o : offsets)
    parts.push_back(RdKafka::TopicPartition::create(o.tp.topic, o.tp.partition, o.next_offset));
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> meta{c.handle().groupMetadata()};
  auto r = classify(handle_->send_offsets_to_transaction(parts, meta.get(), timeout_ms), "send_offsets_to_transaction");
  RdKafka::TopicPartition::destroy(parts);
  return r;
}

txn_result producer::commit_transaction(int timeout_ms) {
  return classify(handle_->commit_transaction(timeout_ms), "commit_transaction");
}

txn_result producer::abort_transaction(int timeout_ms) {
  return classify(handle_->abort_transaction(timeout_ms), "abort_transaction");
}

void producer::discard() {
  discarded_ = true;
  handle_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
}

int producer::queue_length() const {
  return handle_->outq_len();
}

} // namespace freshet::kafka
