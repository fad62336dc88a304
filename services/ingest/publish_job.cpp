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
      slots_(events_.size()),
      pending_(events_.size()) {
  if (events_.empty())
    done_(std::move(response_));
}

void publish_job::set_event_id(size_t index, const std::string& id) {
  slots_[index].event_id = id;
}

void publish_job::set_event_id(size_t index, std::string&& id) {
  slots_[index].event_id = std::move(id);
}

const std::string& publish_job::event_id(size_t index) const {
  return slots_[index].event_id;
}

void publish_job::resolve(size_t index, v1::EventResult result) {
  auto& s = slots_[index];
  if (result.event_id().empty())
    result.set_event_id(s.event_id);
  s.other = std::make_unique<v1::EventResult>(std::move(result));
  finish_one();
}

void publish_job::accepted(size_t index, int32_t partition, int64_t offset) {
  auto& s = slots_[index];
  s.status = v1::EVENT_STATUS_ACCEPTED;
  s.partition = partition;
  s.offset = offset;
  finish_one();
}

void publish_job::rejected(size_t index, const std::string& reason, const std::string& message) {
  auto r = std::make_unique<v1::EventResult>();
  r->set_status(v1::EVENT_STATUS_REJECTED);
  r->set_reason_code(reason);
  r->set_message(message);
  slots_[index].other = std::move(r);
  finish_one();
}

void publish_job::retry(size_t index, const std::string& reason, const std::string& message) {
  auto r = std::make_unique<v1::EventResult>();
  r->set_status(v1::EVENT_STATUS_RETRY);
  r->set_reason_code(reason);
  r->set_message(message);
  slots_[index].other = std::move(r);
  finish_one();
}

void publish_job::build_response() {
  auto& results = *response_.mutable_results();
  results.Reserve(static_cast<int>(slots_.size()));
  uint32_t accepted = 0, rejected = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    auto& s = slots_[i];
    auto* r = results.Add();
    if (s.other) {
      *r = std::move(*s.other);
      if (r->event_id().empty())
        r->set_event_id(std::move(s.event_id));
      accepted += r->status() == v1::EVENT_STATUS_ACCEPTED;
      rejected += r->status() == v1::EVENT_STATUS_REJECTED;
    } else {
      accepted += s.status == v1::EVENT_STATUS_ACCEPTED;
      r->set_event_id(std::move(s.event_id));
      r->set_status(s.status);
      r->set_partition(s.partition);
      r->set_offset(s.offset);
    }
    r->set_index(static_cast<uint32_t>(i));
  }
  response_.set_accepted(accepted);
  response_.set_rejected(rejected);
}

void publish_job::finish_one() {
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1)
    return;
  auto self = std::move(self_); // freed (if last) when this function returns, not before
  build_response();
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
