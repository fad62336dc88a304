#include "common/stream/detail/stage_context.hpp"

#include <librdkafka/rdkafkacpp.h>

#include "common/log/logger.hpp"

namespace freshet::stream::detail {

result<std::vector<kafka::outgoing_record>> run_processor(stage_context& ctx,
                                                          const std::vector<kafka::consumed_record>& batch) {
  if (ctx.stateful)
    return ctx.stateful(batch, *ctx.state); // its changelog is produced once, at commit
  return ctx.process(batch);
}

bool consumer_is_dead(const error& e) {
  return e.domain == error_domain::kafka && e.code == RdKafka::ERR__FATAL;
}

bool replace_consumer(stage_context& ctx) {
  FRESHET_LOG(err, ctx.logger, "the consumer hit a fatal error; replacing it");
  ctx.consumer.reset(); // closes it: the revoke listener runs with nothing open
  auto c = ctx.make_consumer();
  if (!c) {
    FRESHET_LOG(err, ctx.logger, "cannot create a new consumer: {}", c.err().describe());
    return false;
  }
  ctx.consumer = std::move(*c);
  ctx.probe->consumer_replaced();
  return true;
}

batch_bounds bounds_of(const std::vector<kafka::consumed_record>& batch) {
  batch_bounds parts;
  for (const auto& r : batch) {
    auto [it, fresh] = parts.try_emplace(kafka::topic_partition{r.topic, r.partition}, r.offset, r.offset + 1);
    if (!fresh) {
      it->second.first = std::min(it->second.first, r.offset);
      it->second.second = std::max(it->second.second, r.offset + 1);
    }
  }
  return parts;
}

result<std::vector<kafka::consumed_record>> poll_owned(stage_context& ctx) {
  ctx.revoked_in_poll.clear();
  ctx.rewound_in_poll = false;
  auto batch = ctx.consumer->poll_batch(ctx.cfg.max_batch, ctx.cfg.poll_timeout_ms);
  if (!batch || ctx.revoked_in_poll.empty())
    return batch;
  std::erase_if(*batch, [&](const kafka::consumed_record& r) {
    return ctx.revoked_in_poll.contains(kafka::topic_partition{r.topic, r.partition});
  });
  return batch;
}

bool enqueue_all(stage_context& ctx, std::vector<kafka::outgoing_record>& outputs,
                 const std::shared_ptr<std::atomic<int>>& failures,
                 const std::function<void(const kafka::delivery_report&)>& delivered) {
  for (auto& rec : outputs) {
    while (true) {
      auto s = ctx.producer->produce(rec, [failures, delivered](const kafka::delivery_report& r) {
        if (!r.ok)
          failures->fetch_add(1);
        else if (delivered)
          delivered(r);
      });
      if (s.ok())
        break;
      if (!s.err().retriable) {
        FRESHET_LOG(err, ctx.logger, "produce failed: {}", s.err().describe());
        return false;
      }
      (void) ctx.producer->flush(100); // local queue full: let it drain, then try again
    }
  }
  return true;
}

} // namespace freshet::stream::detail
