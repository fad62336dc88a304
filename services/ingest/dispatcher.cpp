#include "services/ingest/dispatcher.hpp"

#include <map>

#include <caf/send.hpp>

#include "common/base/clock.hpp"
#include "services/ingest/reasons.hpp"

namespace freshet::ingest {

namespace {

/// Per-event outcomes of a finished batch, summed per label set (probe families lock per lookup).
void count_outcomes(ingest_probe& probe, const std::string& stream, const v1::PublishResponse& r) {
  if (r.accepted() > 0)
    probe.accepted(stream, r.accepted());
  std::map<std::pair<v1::EventStatus, std::string>, uint64_t> others;
  if (r.accepted() != static_cast<uint32_t>(r.results_size()))
    for (const auto& res : r.results())
      if (res.status() != v1::EVENT_STATUS_ACCEPTED)
        ++others[{res.status(), res.reason_code()}];
  for (const auto& [key, n] : others) {
    if (key.first == v1::EVENT_STATUS_REJECTED)
      probe.rejected(stream, key.second, n);
    else
      probe.retry(stream, key.second, n);
  }
}

} // namespace

dispatcher::dispatcher(std::vector<publisher_actor> publishers, admission& gate, ingest_probe& probe,
                       batch_limits limits)
    : publishers_(std::move(publishers)), gate_(gate), probe_(probe), limits_(limits) {}

std::size_t dispatcher::payload_bytes(const std::vector<incoming_event>& events) {
  std::size_t n = 0;
  for (const auto& e : events)
    n += e.payload.size() + e.event_id.size();
  return n;
}

refusal dispatcher::check(std::size_t events, std::size_t bytes) const {
  refusal r;
  if (events == 0) {
    r.what = refusal::kind::empty;
    r.reason = reasons::empty_batch;
    r.message = "empty batch: send at least one event";
  } else if (events > limits_.max_events) {
    r.what = refusal::kind::too_large;
    r.reason = reasons::batch_too_large;
    r.message = "batch of " + std::to_string(events) + " events; the limit is " + std::to_string(limits_.max_events) +
                " (split it)";
  } else if (bytes > limits_.max_bytes) {
    r.what = refusal::kind::too_large;
    r.reason = reasons::batch_too_large;
    r.message = "batch of " + std::to_string(bytes) + " payload bytes; the limit is " +
                std::to_string(limits_.max_bytes) + " (split it)";
  }
  return r;
}

refusal dispatcher::submit(std::shared_ptr<publish_job> job, std::size_t bytes) {
  auto r = check(job->events().size(), bytes);
  if (!r) {
    switch (gate_.try_admit(static_cast<int64_t>(bytes))) {
      case admission::verdict::admitted: start(std::move(job), bytes); return r;
      case admission::verdict::overloaded:
        r.what = refusal::kind::overloaded;
        r.reason = reasons::overloaded;
        r.message = "ingest is at its in-flight bound (" + std::to_string(gate_.max_bytes()) +
                    " bytes awaiting Kafka); nothing of this batch was taken: retry after " +
                    std::to_string(gate_.retry_after_ms()) + " ms";
        break;
      case admission::verdict::kafka_down:
        r.what = refusal::kind::kafka_down;
        r.reason = reasons::kafka_unavailable;
        r.message = "Kafka is not acknowledging; nothing of this batch was taken: retry after " +
                    std::to_string(2 * gate_.retry_after_ms()) + " ms";
        break;
    }
    r.retry_after_ms = r.what == refusal::kind::kafka_down ? 2 * gate_.retry_after_ms() : gate_.retry_after_ms();
  }
  probe_.request_refused(r.reason);
  return r;
}

void dispatcher::submit_anyway(std::shared_ptr<publish_job> job, std::size_t bytes) {
  gate_.admit(static_cast<int64_t>(bytes));
  if (gate_.kafka_down()) {
    job->on_complete([this, bytes, stream = job->stream()](const v1::PublishResponse& r) {
      gate_.release(static_cast<int64_t>(bytes));
      count_outcomes(probe_, stream, r);
    });
    for (std::size_t i = 0; i < job->events().size(); ++i) {
      job->set_event_id(i, job->events()[i].event_id);
      job->retry(i, reasons::kafka_unavailable, "Kafka is not acknowledging: retry later");
    }
    return;
  }
  start(std::move(job), bytes);
}

void dispatcher::start(std::shared_ptr<publish_job> job, std::size_t bytes) {
  probe_.batch_received(job->events().size(), bytes);
  job->on_complete([this, bytes, stream = job->stream(), received = job->received_mono_ns()](const v1::PublishResponse& r) {
    gate_.release(static_cast<int64_t>(bytes));
    probe_.inflight_bytes(gate_.inflight_bytes());
    if (r.accepted() > 0)
      probe_.produce_latency(static_cast<double>(mono_ns() - received) / 1e9);
    count_outcomes(probe_, stream, r);
  });
  probe_.inflight_bytes(gate_.inflight_bytes());
  auto i = next_.fetch_add(1, std::memory_order_relaxed) % publishers_.size();
  caf::anon_send(publishers_[i], publish_atom::value, std::move(job));
}

} // namespace freshet::ingest
