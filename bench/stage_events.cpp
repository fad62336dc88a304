#include "bench/stage_events.hpp"

#include <algorithm>
#include <iterator>
#include <random>

#include <fmt/format.h>

#include "common/kafka/record.hpp"

namespace freshet::bench::stage {

namespace {

// Real-looking agents of each device class, so that the enrich stage's device_class has work to do.
const char* const agents[] = {
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Safari",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Mobile Safari",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) AppleWebKit/537.36 Chrome/120.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari",
};

/// Where the 16 hex digits of the event id sit in every value: right after `{"event_id":"`.
constexpr size_t id_offset = 13;
constexpr size_t id_length = 16;

} // namespace

std::string event_pool::event_id(int64_t i) {
  // splitmix64: distinct for distinct i, and not sorted, like real random ids
  auto z = static_cast<uint64_t>(i) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return fmt::format("{:016x}", z ^ (z >> 31));
}

void event_pool::value(int64_t i, std::string& out) const {
  out = values_[index(i)];
  out.replace(id_offset, id_length, event_id(i));
}

event_pool::event_pool(int64_t bytes, size_t count) {
  std::mt19937_64 rng{20251125}; // fixed seed: every run sends the same bytes
  auto size = static_cast<size_t>(bytes);
  auto ts = wall_ms(); // the events' own time: recent, so freshness expectations hold
  for (size_t i = 0; i < count; ++i) {
    auto user = rng() % 100000;
    auto id = event_id(static_cast<int64_t>(i));
    std::string v = fmt::format(R"({{"event_id":"{}","user_id":"u{:06}","ts":{},"url":"/products/{:04}",)"
                                R"("ip":"10.{}.{}.{}","user_agent":")",
                                id, user, ts - static_cast<int64_t>(i) * 37, rng() % 10000, rng() % 256, rng() % 256,
                                rng() % 256);
    if (v.size() + 2 > size)
      throw std::runtime_error(fmt::format("events need at least {} bytes, --event-bytes is {}", v.size() + 2, bytes));
    std::string agent = agents[rng() % std::size(agents)];
    while (v.size() + agent.size() + 2 < size) // longer events: longer agents
      agent += fmt::format(" ext/{}", rng() % 100);
    v += agent.substr(0, size - 2 - v.size());
    v += "\"}";
    values_.push_back(std::move(v));
    keys_.push_back(fmt::format("u{:06}", user));
  }
}

void delivery_counter::dr_cb(RdKafka::Message& m) {
  if (m.err() == RdKafka::ERR_NO_ERROR) {
    delivered.fetch_add(1, std::memory_order_relaxed);
    if (m.offset() < 0)
      without_offset.fetch_add(1, std::memory_order_relaxed);
    auto& next = next_offsets[m.partition()];
    next = std::max(next, m.offset() + 1);
  } else {
    failed.fetch_add(1, std::memory_order_relaxed);
    last_error = m.errstr();
  }
}

int64_t delivery_counter::next_offsets_total() const {
  int64_t total = 0;
  for (const auto& [partition, next] : next_offsets)
    total += next;
  return total;
}

std::unique_ptr<raw_producer> make_producer(const options& o, const std::string& client_id) {
  auto p = std::make_unique<raw_producer>();
  auto conf = rdkafka_conf(kafka::producer_config(o.bootstrap, client_id));
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&p->reports), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(err);
  p->handle.reset(RdKafka::Producer::create(conf.get(), err));
  if (!p->handle)
    throw std::runtime_error("cannot create producer: " + err);
  return p;
}

void produce_event(RdKafka::Producer& p, const event_pool& pool, const std::string& topic, int64_t i, int64_t ts_ms) {
  thread_local std::string v;
  pool.value(i, v);
  const auto& k = pool.key(i);
  auto id = event_pool::event_id(i);
  auto ingest_ts = std::to_string(ts_ms);
  while (true) {
    // Built per attempt: a successful produce takes the headers, a failed one leaves them with us.
    std::unique_ptr<RdKafka::Headers> hdrs{RdKafka::Headers::create()};
    hdrs->add(kafka::headers::stream, "page_view");
    hdrs->add(kafka::headers::event_id, id);
    hdrs->add(kafka::headers::ingest_ts, ingest_ts);
    auto code = p.produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                          const_cast<char*>(v.data()), v.size(), k.data(), k.size(), ts_ms, hdrs.get(), nullptr);
    if (code == RdKafka::ERR_NO_ERROR) {
      (void) hdrs.release();
      return;
    }
    if (code != RdKafka::ERR__QUEUE_FULL)
      throw std::runtime_error("produce to " + topic + ": " + RdKafka::err2str(code));
    p.poll(5); // serving delivery reports is what frees the queue
  }
}

void fill_topic(const options& o, const event_pool& pool, const std::string& topic, int64_t n) {
  auto p = make_producer(o, "stage-bench-fill");
  auto known = learn_topic(*p->handle, topic);
  for (int64_t i = 0; i < n; ++i) {
    produce_event(*p->handle, pool, topic, i, wall_ms());
    if (i % 1024 == 0)
      p->handle->poll(0);
  }
  if (auto code = p->handle->flush(120000); code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("flush: " + RdKafka::err2str(code));
  if (p->reports.failed > 0 || p->reports.delivered != n)
    throw std::runtime_error(fmt::format("filling {}: {} of {} events delivered (last error: {})", topic,
                                         p->reports.delivered.load(), n, p->reports.last_error));
}

} // namespace freshet::bench::stage
