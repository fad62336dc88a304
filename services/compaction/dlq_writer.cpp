#include "services/compaction/dlq_writer.hpp"

#include "common/kafka/client_config.hpp"
#include "common/log/logger.hpp"

namespace freshet::compaction {

result<std::unique_ptr<dlq_writer>> dlq_writer::create(const std::string& bootstrap, std::string topic,
                                                       const std::string& client_id) {
  std::unique_ptr<dlq_writer> w{new dlq_writer};
  w->topic_ = std::move(topic);
  if (w->topic_.empty())
    return w;
  auto p = kafka::producer::create(kafka::producer_config(bootstrap, client_id));
  if (!p)
    return p.err();
  w->producer_ = std::move(*p);
  return w;
}

status dlq_writer::reject(const kafka::consumed_record& rec, const rejected_record& why) {
  static auto logger = log::get("compaction.dlq");
  FRESHET_LOG(debug, logger, "rejected {}[{}]@{}: {}: {}", rec.topic, rec.partition, rec.offset, why.reason, why.message);
  if (!producer_)
    return {};
  kafka::outgoing_record out = kafka::forward(rec, topic_);
  out.headers.push_back({kafka::headers::reason, why.reason});
  out.headers.push_back({kafka::headers::message, why.message});
  out.headers.push_back({kafka::headers::stage, "compaction"});
  out.headers.push_back({kafka::headers::source_topic, rec.topic});
  out.headers.push_back({kafka::headers::source_partition, std::to_string(rec.partition)});
  out.headers.push_back({kafka::headers::source_offset, std::to_string(rec.offset)});
  for (int attempt = 0;; ++attempt) {
    auto st = producer_->produce(out, [this](const kafka::delivery_report& r) {
      if (!r.ok)
        ++failed_;
    });
    if (st.ok())
      return {};
    if (!st.err().retriable || attempt > 100)
      return st;
    (void) producer_->flush(100); // local queue full: let it drain
  }
}

status dlq_writer::flush(int timeout_ms) {
  if (!producer_)
    return {};
  FRESHET_TRY(producer_->flush(timeout_ms));
  if (producer_->queue_length() > 0)
    return make_error(error_domain::kafka, 1, "the DLQ topic " + topic_ + " did not acknowledge in time", true);
  if (failed_.load() != reported_failures_) {
    reported_failures_ = failed_.load();
    return make_error(error_domain::kafka, 2, "records for the DLQ topic " + topic_ + " failed", true);
  }
  return {};
}

} // namespace freshet::compaction
