#include "bench/stage_latency.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

namespace freshet::bench::stage {

namespace {

using namespace std::chrono_literals;

constexpr int64_t never = std::numeric_limits<int64_t>::max();

/// The read_committed reader downstream of the stage: stamps every output on arrival.
class sink {
 public:
  sink(const options& o, const std::string& topic, const std::string& group) {
    auto conf = rdkafka_conf(kafka::consumer_config(o.bootstrap, group, group));
    std::string err;
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_)
      throw std::runtime_error("cannot create the latency reader: " + err);
    if (auto code = consumer_->subscribe({topic}); code != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("subscribe: " + RdKafka::err2str(code));
    thread_ = std::thread{[this] { run(); }};
  }
  ~sink() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    if (!closed_)
      consumer_->close();
    closed_ = true;
  }

  /// Outputs with input timestamps in [from, to) are measured.
  void window(int64_t from, int64_t to) {
    to_ = to;
    from_ = from;
  }

  std::atomic<int64_t> received{0};
  std::vector<int64_t> latencies_ms; ///< read after stop()

 private:
  void run() {
    while (!stop_) {
      std::unique_ptr<RdKafka::Message> m{consumer_->consume(100)};
      if (m->err() != RdKafka::ERR_NO_ERROR)
        continue;
      auto arrived = wall_ms();
      auto ts = m->timestamp().timestamp;
      if (ts >= from_ && ts < to_)
        latencies_ms.push_back(arrived - ts);
      received += 1;
    }
  }

  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::atomic<int64_t> from_{never}, to_{never};
  std::atomic<bool> stop_{false};
  bool closed_ = false;
  std::thread thread_;
};

/// The steady source: `rate` events/s, topped up every millisecond to rate × elapsed time.
class source {
 public:
  source(const options& o, const event_pool& pool, const std::string& topic)
      : producer_(make_producer(o, "stage-bench-latency-source")), known_(learn_topic(*producer_->handle, topic)) {
    thread_ = std::thread{[this, &o, &pool, topic] { run(o, pool, topic); }};
  }
  ~source() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
  }

  [[nodiscard]] const delivery_counter& reports() const { return producer_->reports; } ///< after stop()

  std::atomic<int64_t> produced{0};
  std::vector<int64_t> stamps; ///< every event's timestamp; read after stop()
  std::string error;           ///< read after stop()

 private:
  void run(const options& o, const event_pool& pool, const std::string& topic) {
    try {
      auto start = clk::now();
      int64_t i = 0;
      while (!stop_) {
        auto due = static_cast<int64_t>(seconds_between(start, clk::now()) * o.latency_rate);
        for (; i < due; ++i) {
          auto ts = wall_ms();
          produce_event(*producer_->handle, pool, topic, i, ts);
          stamps.push_back(ts);
        }
        produced = i;
        producer_->handle->poll(0);
        std::this_thread::sleep_for(1ms);
      }
      if (auto code = producer_->handle->flush(30000); code != RdKafka::ERR_NO_ERROR)
        error = "flush: " + RdKafka::err2str(code);
      else if (producer_->reports.failed > 0)
        error = "delivery failed: " + producer_->reports.last_error;
    } catch (const std::exception& e) {
      error = e.what();
    }
  }

  std::unique_ptr<raw_producer> producer_;
  std::unique_ptr<RdKafka::Topic> known_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

double percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]);
}

template <class Pred>
bool wait_for(Pred done, std::chrono::milliseconds limit) {
  auto deadline = clk::now() + limit;
  while (!done()) {
    if (clk::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

} // namespace

json latency_result::to_json() const {
  return {{"p50_ms", p50_ms},
          {"p90_ms", p90_ms},
          {"p99_ms", p99_ms},
          {"max_ms", max_ms},
          {"samples", samples},
          {"expected", expected},
          {"seconds", seconds},
          {"events_per_s", produced_rate},
          {"process_cpu_s_per_million_incl_source_and_reader", cpu_s_per_million},
          {"definition", latency_definition},
          {"pipeline", pipeline}};
}

latency_result measure_latency(caf::actor_system& sys, const options& o, const event_pool& pool,
                               const pipeline_setup& spec) {
  sink reader{o, spec.outputs.out, spec.group + "-reader"};
  progress prog;
  auto pipeline = start_pipeline(sys, o, spec, prog);
  source feed{o, pool, spec.input};

  auto failed = [&] { return !pipeline->error().empty(); };
  if (!wait_for([&] { return reader.received > 0 || failed(); }, 90s) || failed())
    throw std::runtime_error(fmt::format("latency phase: no output within 90 s ({})", pipeline->error()));
  std::this_thread::sleep_for(1s); // let batching and transactions settle into the steady rate
  auto start = read_meters(0);
  auto from = wall_ms();
  reader.window(from, never);
  std::this_thread::sleep_for(std::chrono::seconds(o.latency_seconds));
  auto to = wall_ms();
  reader.window(from, to);
  auto end = read_meters(0);
  feed.stop();
  if (!feed.error.empty())
    throw std::runtime_error("latency source: " + feed.error);
  // Count on what the input holds, not on the delivery reports: they were once seen to claim a few
  // records that never reached a freshly created partition (see the README).
  auto all = end_offsets_total(o, spec.input, o.partitions);
  if (all != feed.reports().delivered)
    fmt::print(stderr, "[stage-bench] WARNING: latency phase of {}: the source had {} records reported delivered "
               "({} without an offset), the input holds {}\n",
               spec.group, feed.reports().delivered.load(), feed.reports().without_offset.load(), all);
  auto produced_in_window = std::count_if(feed.stamps.begin(), feed.stamps.end(),
                                          [&](int64_t ts) { return ts >= from && ts < to; });
  if (!wait_for([&] { return reader.received >= all || failed(); }, 60s)) {
    // Where they are: not yet consumed (committed < end) or consumed and not delivered.
    commit_watcher stage_commits{o, spec.group, spec.input, o.partitions};
    fmt::print(stderr,
               "[stage-bench] WARNING: latency phase of {}: {} of {} outputs arrived within 60 s; the pipeline "
               "processed {} records; its group committed {} of the input's offsets\n",
               spec.group, reader.received.load(), all, prog.records.load(), stage_commits.committed_total());
  }
  reader.stop();
  pipeline->stop();
  if (failed())
    throw std::runtime_error("latency phase: " + pipeline->error());

  auto lat = std::move(reader.latencies_ms);
  std::sort(lat.begin(), lat.end());
  latency_result r;
  r.samples = static_cast<int64_t>(lat.size());
  r.expected = produced_in_window;
  r.p50_ms = percentile(lat, 0.50);
  r.p90_ms = percentile(lat, 0.90);
  r.p99_ms = percentile(lat, 0.99);
  r.max_ms = lat.empty() ? 0.0 : static_cast<double>(lat.back());
  r.seconds = static_cast<double>(to - from) / 1000.0;
  r.produced_rate = static_cast<double>(produced_in_window) / r.seconds;
  r.cpu_s_per_million = per_million(end.cpu - start.cpu, std::max<int64_t>(1, produced_in_window));
  r.pipeline = pipeline->details();
  return r;
}

} // namespace freshet::bench::stage
