#include "services/ingest/publish_job.hpp"

#include <random>

#include "common/base/clock.hpp"

namespace freshet::ingest {

publish_job::publish_job(std::string stream, std::vector<incoming_event> events, completion done)
    : stream_(std::move(stream)),
      events_(std::move(events)),
      done_(std::move(done)),
      received_at_ms_(now_ms()),
      pending_(events_.size()) {
  for (size_t i = 0; i < events_.size(); ++i)
    response_.add_results()->set_index(static_cast<uint32_t>(i));
  if (events_.empty())
    done_(std::move(response_));
}

void publish_job::resolve(size_t index, v1::EventResult result) {
  {
    std::lock_guard guard{mtx_};
    result.set_index(static_cast<uint32_t>(index));
    if (result.status() == v1::EVENT_STATUS_ACCEPTED)
      response_.set_accepted(response_.accepted() + 1);
    else if (result.status() == v1::EVENT_STATUS_REJECTED)
      response_.set_rejected(response_.rejected() + 1);
    *response_.mutable_results(static_cast<int>(index)) = std::move(result);
  }
  if (pending_.fetch_sub(1) == 1)
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
