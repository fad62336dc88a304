#include "tests/support/topic_io.hpp"

#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/partition_reader.hpp"
#include "common/kafka/producer.hpp"
#include "tests/support/stack.hpp"

namespace freshet::testing {

std::vector<std::string> make_topics(const std::string& prefix, const std::vector<std::string>& suffixes,
                                     int partitions) {
  static std::atomic<int> counter{0};
  auto n = std::to_string(counter.fetch_add(1)) + "." + std::to_string(now_ms() % 100000);
  std::vector<config::topic_spec> specs;
  std::vector<std::string> names;
  for (const auto& s : suffixes) {
    names.push_back(prefix + "." + n + "." + s);
    specs.push_back({s, names.back(), partitions, "delete", -1});
  }
  auto st = kafka::create_topics(stack::bootstrap(), specs);
  if (!st.ok())
    throw std::runtime_error(st.err().describe());
  // Every partition's leader must have its log before a test writes: a test's very first records,
  // produced while the broker was still creating a partition's log, were acknowledged and yet
  // absent from the log (the zombie test's "missing" records were missing from its input).
  auto reader = kafka::partition_reader::create(kafka::consumer_config(stack::bootstrap(), "topic-ready", "topic-ready"));
  if (!reader)
    throw std::runtime_error(reader.err().describe());
  for (const auto& name : names)
    for (int32_t p = 0; p < partitions; ++p)
      if (auto wm = (*reader)->query_watermarks({name, p}, 30000); !wm)
        throw std::runtime_error(name + "[" + std::to_string(p) + "] not ready: " + wm.err().describe());
  return names;
}

sequence_producer::sequence_producer(std::string topic, std::string prefix, int from, int to, int per_second,
                                     int keys)
    : total_(to - from) {
  thread_ = std::thread{[this, topic, prefix, from, to, per_second, keys] {
    auto p = kafka::producer::create(kafka::producer_config(stack::bootstrap(), "test-sequence"));
    if (!p) {
      failed_ = to - from;
      return;
    }
    auto start = mono_ns();
    for (int i = from; i < to; ++i) {
      if (per_second > 0) {
        auto due = start + static_cast<int64_t>(i - from) * 1000000000LL / per_second;
        while (mono_ns() < due)
          std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      auto key = keys > 0 ? "k" + std::to_string(i % keys) : std::to_string(i);
      kafka::outgoing_record rec{topic, -1, key, prefix + std::to_string(i), {}, 0};
      while (true) {
        auto st = (*p)->produce(rec, [this](const kafka::delivery_report& r) { (r.ok ? acked_ : failed_)++; });
        if (st.ok())
          break;
        (void) (*p)->flush(100);
      }
    }
    (void) (*p)->flush(120000);
  }};
}

sequence_producer::~sequence_producer() {
  if (thread_.joinable())
    thread_.join();
}

bool sequence_producer::join() {
  if (thread_.joinable())
    thread_.join();
  if (failed_ == 0 && acked_ == total_)
    return true;
  std::fprintf(stderr, "sequence_producer: %d of %d acknowledged, %d failed\n", acked_.load(), total_, failed_.load());
  return false;
}

std::map<std::string, int> read_committed_values(const std::string& topic, size_t expected,
                                                 std::chrono::milliseconds settle, std::chrono::milliseconds timeout) {
  std::map<std::string, int> seen;
  auto group = "verify-" + std::to_string(now_ms()) + "-" + std::to_string(mono_ns() % 1000000);
  auto c = kafka::consumer::create(kafka::consumer_config(stack::bootstrap(), group, "verifier"));
  if (!c || !(*c)->subscribe({topic}).ok())
    throw std::runtime_error("cannot create the verifying consumer");
  size_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last_new = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = (*c)->poll_batch(10000, 200);
    if (batch && !batch->empty()) {
      for (const auto& r : *batch)
        ++seen[r.value];
      total += batch->size();
      last_new = std::chrono::steady_clock::now();
    }
    if (total >= expected && std::chrono::steady_clock::now() - last_new >= settle)
      break;
  }
  (*c)->close();
  return seen;
}

exactly_once_report check_exactly_once(const std::map<std::string, int>& seen, const std::string& prefix, int n) {
  exactly_once_report r;
  for (int i = 0; i < n; ++i) {
    auto it = seen.find(prefix + std::to_string(i));
    if (it == seen.end() && ++r.missing <= 10)
      r.missing_values.push_back(prefix + std::to_string(i));
    else if (it->second > 1)
      r.duplicated += it->second - 1;
  }
  for (const auto& [v, count] : seen)
    if (!v.starts_with(prefix))
      r.unexpected += count;
  return r;
}

} // namespace freshet::testing
