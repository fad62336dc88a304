#include "services/ingest/publisher.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"
#include "services/ingest/event_check.hpp"

namespace freshet::ingest {

namespace {

struct publisher_state {
  publisher_deps deps;
  std::shared_ptr<spdlog::logger> logger = log::get("ingest.publisher");
  static inline const char* name = "freshet.ingest.publisher";
};

using publisher_pointer = publisher_actor::stateful_pointer<publisher_state>;

v1::EventResult make_result(const std::string& event_id, v1::EventStatus status, std::string reason = {},
                            std::string message = {}) {
  v1::EventResult r;
  r.set_event_id(event_id);
  r.set_status(status);
  r.set_reason_code(std::move(reason));
  r.set_message(std::move(message));
  return r;
}

/// Sends the original bytes to the dead-letter topic; the event counts as rejected only once Kafka
/// has the dead letter, otherwise the client is told to retry.
void dead_letter(publisher_state& st, const std::shared_ptr<publish_job>& job, size_t index,
                 const std::string& event_id, const rejection& why) {
  const auto& ev = job->events()[index];
  kafka::outgoing_record rec;
  rec.topic = st.deps.spec->topic_name("dlq");
  rec.key = event_id;
  rec.value = ev.payload;
  rec.headers = {{kafka::headers::reason, why.reason},
                 {kafka::headers::message, why.message},
                 {kafka::headers::stage, "ingest"},
                 {kafka::headers::stream, job->stream()},
                 {kafka::headers::event_id, event_id},
                 {kafka::headers::received_at, std::to_string(job->received_at_ms())}};
  auto* probe = st.deps.probe;
  auto stream = job->stream();
  auto status = st.deps.producer->produce(std::move(rec), [job, index, event_id, why, probe,
                                                           stream](const kafka::delivery_report& r) {
    if (r.ok) {
      probe->rejected(stream, why.reason);
      job->resolve(index, make_result(event_id, v1::EVENT_STATUS_REJECTED, why.reason, why.message));
    } else {
      probe->retry(stream, "dlq_unavailable");
      job->resolve(index, make_result(event_id, v1::EVENT_STATUS_RETRY, "dlq_unavailable", r.err.message));
    }
  });
  if (!status.ok()) {
    probe->retry(stream, "backpressure");
    job->resolve(index, make_result(event_id, v1::EVENT_STATUS_RETRY, "backpressure", status.err().message));
  }
}

void accept(publisher_state& st, const std::shared_ptr<publish_job>& job, size_t index, const std::string& event_id,
            const checked_event& checked) {
  auto& ev = job->events()[index];
  kafka::outgoing_record rec;
  rec.topic = st.deps.spec->topic_name("raw");
  rec.key = checked.key;
  rec.value = std::move(ev.payload);
  rec.timestamp_ms = checked.event_time_ms;
  rec.headers = {{kafka::headers::stream, job->stream()},
                 {kafka::headers::event_id, event_id},
                 {kafka::headers::ingest_ts, std::to_string(job->received_at_ms())}};
  auto* probe = st.deps.probe;
  auto stream = job->stream();
  auto started = mono_ns();
  auto status = st.deps.producer->produce(std::move(rec), [job, index, event_id, probe, stream,
                                                           started](const kafka::delivery_report& r) {
    if (r.ok) {
      probe->accepted(stream);
      probe->produce_latency(static_cast<double>(mono_ns() - started) / 1e9);
      auto res = make_result(event_id, v1::EVENT_STATUS_ACCEPTED);
      res.set_partition(r.partition);
      res.set_offset(r.offset);
      job->resolve(index, std::move(res));
    } else {
      probe->retry(stream, "kafka_unavailable");
      job->resolve(index, make_result(event_id, v1::EVENT_STATUS_RETRY, "kafka_unavailable", r.err.message));
    }
  });
  if (!status.ok()) {
    probe->retry(stream, "backpressure");
    job->resolve(index, make_result(event_id, v1::EVENT_STATUS_RETRY, "backpressure", status.err().message));
  }
}

void handle(publisher_state& st, const std::shared_ptr<publish_job>& job) {
  st.deps.probe->batch_received(job->events().size());
  st.deps.probe->queue_depth(st.deps.producer->queue_length());
  const auto* stream = st.deps.spec->stream(job->stream());
  for (size_t i = 0; i < job->events().size(); ++i) {
    auto& ev = job->events()[i];
    rejection why;
    checked_event checked;
    bool ok = false;
    if (!stream) {
      why = {"unknown_stream", "no stream named '" + job->stream() + "' in pipeline " + st.deps.spec->name};
    } else if (ev.format == v1::PAYLOAD_FORMAT_AVRO) {
      why = {"unsupported_format", "Avro payloads are accepted once the schema registry is wired in"};
    } else {
      ok = check_json_event(*stream, ev.payload, job->received_at_ms(), checked, why);
    }
    std::string event_id = !ev.event_id.empty() ? ev.event_id
                           : !checked.event_id.empty() ? checked.event_id
                                                       : generate_event_id();
    if (ok)
      accept(st, job, i, event_id, checked);
    else
      dead_letter(st, job, i, event_id, why);
  }
}

publisher_actor::behavior_type publisher_behavior(publisher_pointer self, publisher_deps deps) {
  self->state.deps = std::move(deps);
  return {
    [self](publish_atom, std::shared_ptr<publish_job> job) { handle(self->state, job); },
  };
}

} // namespace

publisher_actor spawn_publisher(caf::actor_system& sys, publisher_deps deps) {
  return sys.spawn(publisher_behavior, std::move(deps));
}

} // namespace freshet::ingest
