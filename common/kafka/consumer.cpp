#include "common/kafka/consumer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include "common/base/clock.hpp"
#include "common/kafka/detail/rdkafka_glue.hpp"
#include "common/log/logger.hpp"

namespace freshet::kafka {

namespace {

std::vector<topic_partition> to_tps(const std::vector<RdKafka::TopicPartition*>& parts) {
  std::vector<topic_partition> out;
  out.reserve(parts.size());
  for (auto* p : parts)
    out.push_back({p->topic(), p->partition()});
  return out;
}

} // namespace

/// Applies the cooperative (incremental) protocol and tells the owner before partitions go.
class rebalance_handler : public RdKafka::RebalanceCb {
 public:
  explicit rebalance_handler(rebalance_listener l) : listener_(std::move(l)) {}

  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    static auto logger = log::get("kafka.consumer");
    bool cooperative = c->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      FRESHET_LOG(info, logger, "assigned {} partition(s)", parts.size());
      RdKafka::Error* e = cooperative ? c->incremental_assign(parts) : nullptr;
      if (!cooperative)
        c->assign(parts);
      if (e) {
        FRESHET_LOG(err, logger, "incremental_assign failed: {}", e->str());
        delete e;
      }
      if (listener_.on_assign)
        listener_.on_assign(to_tps(parts));
    } else {
      bool lost = c->assignment_lost();
      FRESHET_LOG(info, logger, "{} {} partition(s)", lost ? "lost" : "revoking", parts.size());
      if (listener_.on_revoke)
        listener_.on_revoke(to_tps(parts), lost);
      if (cooperative) {
        if (auto* e = c->incremental_unassign(parts)) {
          FRESHET_LOG(err, logger, "incremental_unassign failed: {}", e->str());
          delete e;
        }
      } else {
        c->unassign();
      }
    }
  }

 private:
  rebalance_listener listener_;
};

result<std::unique_ptr<consumer>> consumer::create(const config_map& cfg, rebalance_listener listener) {
  auto conf = detail::make_conf(cfg);
  if (!conf)
    return conf.err();
  std::unique_ptr<consumer> c{new consumer};
  c->rebalancer_ = std::make_unique<rebalance_handler>(std::move(listener));
  std::string err;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(c->rebalancer_.get()), err) !=
      RdKafka::Conf::CONF_OK)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, err);
  c->handle_.reset(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!c->handle_)
    return make_error(error_domain::kafka, RdKafka::ERR__INVALID_ARG, "cannot create consumer: " + err);
  return c;
}

consumer::~consumer() {
  close();
}

void consumer::close() {
  if (closed_ || !handle_)
    return;
  closed_ = true;
  handle_->close();
}

status consumer::subscribe(const std::vector<std::string>& topics) {
  auto code = handle_->subscribe(topics);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "subscribe");
  return {};
}

result<std::vector<consumed_record>> consumer::poll_batch(size_t max_records, int timeout_ms) {
  std::vector<consumed_record> out;
  int wait = timeout_ms;
  while (out.size() < max_records) {
    std::unique_ptr<RdKafka::Message> msg{handle_->consume(wait)};
    wait = 0; // after the first record only take what is already fetched
    switch (msg->err()) {
      case RdKafka::ERR_NO_ERROR:
        out.push_back(detail::to_record(*msg));
        continue;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        return out;
      default:
        if (msg->err() == RdKafka::ERR__FATAL)
          return detail::to_error(msg->err(), "consume");
        FRESHET_LOG(warn, log::get("kafka.consumer"), "consume: {}", msg->errstr());
        return out;
    }
  }
  return out;
}

status consumer::commit(const std::vector<partition_offset>& offsets) {
  if (offsets.empty())
    return {};
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& o : offsets)
    parts.push_back(RdKafka::TopicPartition::create(o.tp.topic, o.tp.partition, o.next_offset));
  auto code = handle_->commitSync(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "commit");
  return {};
}

status consumer::seek(const partition_offset& position, int timeout_ms) {
  std::unique_ptr<RdKafka::TopicPartition> tp{
    RdKafka::TopicPartition::create(position.tp.topic, position.tp.partition, position.next_offset)};
  auto code = handle_->seek(*tp, timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "seek " + position.tp.topic);
  return {};
}

result<std::vector<partition_offset>> consumer::committed(const std::vector<topic_partition>& parts,
                                                         int timeout_ms) {
  std::vector<RdKafka::TopicPartition*> tps;
  for (const auto& p : parts)
    tps.push_back(RdKafka::TopicPartition::create(p.topic, p.partition));
  auto code = handle_->committed(tps, timeout_ms);
  std::vector<partition_offset> out;
  // A partition whose offset could not be read (e.g. UNSTABLE_OFFSET_COMMIT while another
  // member's transaction still holds offsets for it) must fail the call: read as "nothing
  // committed", it would send an exactly-once rewind back to the beginning.
  for (auto* tp : tps) {
    if (code == RdKafka::ERR_NO_ERROR && tp->err() != RdKafka::ERR_NO_ERROR)
      code = tp->err();
    out.push_back({{tp->topic(), tp->partition()}, tp->offset() >= 0 ? tp->offset() : -1});
  }
  RdKafka::TopicPartition::destroy(tps);
  if (code != RdKafka::ERR_NO_ERROR)
    return detail::to_error(code, "committed offsets");
  return out;
}

int64_t consumer::high_watermark(const topic_partition& tp) {
  int64_t low = -1, high = -1;
  if (handle_->get_watermark_offsets(tp.topic, tp.partition, &low, &high) != RdKafka::ERR_NO_ERROR)
    return -1;
  return high;
}

std::vector<topic_partition> consumer::assignment() const {
  std::vector<RdKafka::TopicPartition*> parts;
  handle_->assignment(parts);
  auto out = to_tps(parts);
  RdKafka::TopicPartition::destroy(parts);
  return out;
}

} // namespace freshet::kafka
