#include "services/ingest/publish_job.hpp"

#include <random>

#include "common/base/clock.hpp"

namespace freshet::ingest {

publish_job::publish_job(std::string stream, std::vector<incoming_event> events, completion done)
    : stream_(std::move(stream)),
      events_(std::move(events)),
      done_(std::move(done)),
      received_at_ms_(now_ms()),
      received_mono_ns_(mono_ns()),
      pending_(events_.size()) {
  response_.mutable_results()->Reserve(static_cast<int>(events_.size()));
  for (size_t i = 0; i < events_.size(); ++i)
    response_.add_results()->set_index(static_cast<uint32_t>(i));
  if (events_.empty())
    done_(std::move(response_));
}

void publish_job::set_event_id(size_t index, const std::string& id) {
  response_.mutable_results(static_cast<int>(index))->set_event_id(id);
}

const std::string& publish_job::event_id(size_t index) const {
  return response_.results(static_cast<int>(index)).event_id();
}

void publish_job::resolve(size_t index, v1::EventResult result) {
  result.set_index(static_cast<uint32_t>(index));
  if (result.event_id().empty())
    result.set_event_id(event_id(index));
  if (result.status() == v1::EVENT_STATUS_ACCEPTED)
    accepted_.fetch_add(1, std::memory_order_relaxed);
  else if (result.status() == v1::EVENT_STATUS_REJECTED)
    rejected_.fetch_add(1, std::memory_order_relaxed);
  *response_.mutable_results(static_cast<int>(index)) = std::move(result);
  finish_one();
}

void publish_job::accepted(size_t index, int32_t partition, int64_t offset) {
  auto* r = response_.mutable_results(static_cast<int>(index));
  r->set_status(v1::EVENT_STATUS_ACCEPTED);
  r->set_partition(partition);
  r->set_offset(offset);
  accepted_.fetch_add(1, std::memory_order_relaxed);
  finish_one();
}

void publish_job::rejected(size_t index, const std::string& reason, const std::string& message) {
  auto* r = response_.mutable_results(static_cast<int>(index));
  r->set_status(v1::EVENT_STATUS_REJECTED);
  r->set_reason_code(reason);
  r->set_message(message);
  rejected_.fetch_add(1, std::memory_order_relaxed);
  finish_one();
}

void publish_job::retry(size_t index, const std::string& reason, const std::string& message) {
  auto* r = response_.mutable_results(static_cast<int>(index));
  r->set_status(v1::EVENT_STATUS_RETRY);
  r->set_reason_code(reason);
  r->set_message(message);
  finish_one();
}

void publish_job::finish_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  auto self = std::move(self_); // freed (if last) when this function returns, not before
  response_.set_accepted(accepted_.load(std::memory_order_relaxed));
  response_.set_rejected(rejected_.load(std::memory_order_relaxed));
  if (on_complete_)
    on_complete_(response_);
  done_(std::move(response_));
}

std::string generate_event_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

} // namespace freshet::ingest
