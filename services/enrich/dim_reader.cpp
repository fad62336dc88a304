#include "services/enrich/dim_reader.hpp"

#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "common/kafka/detail/rdkafka_glue.hpp"
#include "common/log/logger.hpp"

namespace freshet::enrich {

namespace {

kafka::consumed_record to_record(RdKafka::Message& m) {
  kafka::consumed_record r;
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
  if (auto* hdrs = m.headers())
    for (const auto& h : hdrs->get_all())
      r.headers.push_back({h.key(), h.value() ? std::string{static_cast<const char*>(h.value()), h.value_size()}
                                              : std::string{}});
  return r;
}

} // namespace

result<std::unique_ptr<dim_reader>> dim_reader::create(kafka::config_map cfg) {
  cfg["enable.partition.eof"] = "true";
  cfg["enable.auto.commit"] = "false";
  cfg["enable.auto.offset.store"] = "false";
  auto conf = kafka::detail::make_conf(cfg);
  if (!conf)
    return conf.err();
  std::string err;
  std::unique_ptr<dim_reader> r{new dim_reader};
  r->handle_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!r->handle_)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, "cannot create dim reader: " + err);
  return r;
}

dim_reader::~dim_reader() {
  close();
}

void dim_reader::close() {
  if (closed_ || !handle_)
    return;
  closed_ = true;
  handle_->unassign();
  handle_->close();
}

result<std::pair<int64_t, int64_t>> dim_reader::query_watermarks(const kafka::topic_partition& tp, int timeout_ms) {
  int64_t low = -1, high = -1;
  auto code = handle_->query_watermark_offsets(tp.topic, tp.partition, &low, &high, timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR)
    return kafka::detail::to_error(code, "watermarks of " + tp.topic + "[" + std::to_string(tp.partition) + "]");
  return std::pair{low, high};
}

int64_t dim_reader::cached_high_watermark(const kafka::topic_partition& tp) {
  int64_t low = -1, high = -1;
  if (handle_->get_watermark_offsets(tp.topic, tp.partition, &low, &high) != RdKafka::ERR_NO_ERROR)
    return -1;
  return high;
}

status dim_reader::assign(const std::vector<kafka::partition_offset>& from) {
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& p : from)
    parts.push_back(RdKafka::TopicPartition::create(p.tp.topic, p.tp.partition,
                                                    p.next_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING
                                                                      : p.next_offset));
  auto code = handle_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (code != RdKafka::ERR_NO_ERROR)
    return kafka::detail::to_error(code, "assign");
  return {};
}

result<dim_reader::polled> dim_reader::poll(size_t max_records, int timeout_ms) {
  polled out;
  int wait = timeout_ms;
  while (out.records.size() < max_records) {
    std::unique_ptr<RdKafka::Message> msg{handle_->consume(wait)};
    wait = 0;
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        // A record after an end in the same poll: that end is no longer where the partition stands.
        std::erase(out.reached_end, msg->partition());
        out.records.push_back(to_record(*msg));
        continue;
      case RdKafka::ERR__PARTITION_EOF:
        out.reached_end.push_back(msg->partition());
        continue;
      case RdKafka::ERR__TIMED_OUT:
        return out;
      default:
        if (msg->err() == RdKafka::ERR__FATAL)
          return kafka::detail::to_error(msg->err(), "consume");
        FRESHET_LOG(warn, log::get("enrich.dim_reader"), "consume: {}", msg->errstr());
        return out;
    }
  }
  return out;
}

} // namespace freshet::enrich
