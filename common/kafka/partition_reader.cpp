#include "common/kafka/partition_reader.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

#include "common/kafka/detail/rdkafka_glue.hpp"
#include "common/log/logger.hpp"

namespace freshet::kafka {


result<std::unique_ptr<partition_reader>> partition_reader::create(config_map cfg) {
  cfg["enable.partition.eof"] = "true";
  cfg["enable.auto.commit"] = "false";
  cfg["enable.auto.offset.store"] = "false";
  auto conf = detail::make_conf(cfg);
  if (!conf)
    return conf.err();
  std::string err;
  std::unique_ptr<partition_reader> r{new partition_reader};
  r->handle_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!r->handle_)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, "cannot create partition reader: " + err);
  return r;
}

partition_reader::~partition_reader() {
  close();
}

void partition_reader::close() {
  if (closed_ || !handle_)
    return;
  closed_ = true;
  handle_->unassign();
  handle_->close();
}

result<std::pair<int64_t, int64_t>> partition_reader::query_watermarks(const topic_partition& tp, int timeout_ms) {
  int64_t low = -1, high = -1;
  // A topic created moments ago may not have its leader yet: wait for it within the timeout
  // instead of failing the caller's start-up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto code = handle_->query_watermark_offsets(tp.topic, tp.partition, &low, &high, timeout_ms);
  while ((code == RdKafka::ERR_NOT_LEADER_FOR_PARTITION || code == RdKafka::ERR_LEADER_NOT_AVAILABLE ||
          code == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) &&
         std::chrono::steady_clock::now() + std::chrono::milliseconds(100) < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    code = handle_->query_watermark_offsets(tp.topic, tp.partition, &low, &high, timeout_ms);
  }
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "watermarks of " + tp.topic + "[" + std::to_string(tp.partition) + "]");
  return std::pair{low, high};
}

int64_t partition_reader::cached_high_watermark(const topic_partition& tp) {
  int64_t low = -1, high = -1;
  if (handle_->get_watermark_offsets(tp.topic, tp.partition, &low, &high) != RdKafka::ERR_NO_ERROR)
    return -1;
  return high;
}

status partition_reader::assign(const std::vector<partition_offset>& from) {
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& p : from)
    parts.push_back(RdKafka::TopicPartition::create(p.tp.topic, p.tp.partition,
                                                    p.next_offset < 0 ? RdKafka::Topic::OFFSET_BEGINNING
                                                                      : p.next_offset));
  auto code = handle_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "assign");
  return {};
}

result<partition_reader::polled> partition_reader::poll(size_t max_records, int timeout_ms) {
  polled out;
  int wait = timeout_ms;
  while (out.records.size() < max_records) {
    std::unique_ptr<RdKafka::Message> msg{handle_->consume(wait)};
    wait = 0;
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        // A record after an end in the same poll: that end is no longer where the partition stands.
        std::erase(out.reached_end, msg->partition());
        out.records.push_back(detail::to_record(*msg));
        continue;
      case RdKafka::ERR__PARTITION_EOF:
        out.reached_end.push_back(msg->partition());
        continue;
      case RdKafka::ERR__TIMED_OUT:
        return out;
      default:
        if (msg->err() == RdKafka::ERR__FATAL)
          return detail::to_error(msg->err(), "consume");
        FRESHET_LOG(warn, log::get("kafka.reader"), "consume: {}", msg->errstr());
        return out;
    }
  }
  return out;
}

} // namespace freshet::kafka
