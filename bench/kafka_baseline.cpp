// freshet-kafka-baseline: the project's speed yardstick. It measures what Kafka alone costs on this
// machine for 200-byte events with exactly the client settings the services use
// (common/kafka/client_config), so later stages can report "x% of the Kafka floor" instead of raw
// numbers that mostly describe the box they ran on. See bench/README.md.
//
// Usage: freshet-kafka-baseline --bootstrap HOST:PORT [--events N] [--relay-events N]
//          [--warmup-events N] [--rounds N] [--partitions N] [--event-bytes N] [--broker-pid PID]
//          [--broker-version V] [--git-rev R] [--run-id ID] [--out PATH]
// Env (used when the flag is absent): FRESHET_BENCH_EVENTS, FRESHET_BENCH_RELAY_EVENTS,
//          FRESHET_BENCH_ROUNDS, FRESHET_BENCH_OUT.
// Needs a broker to itself (scripts/bench/run starts one); topics are named after the run id.
// A benchmark either measures or stops: any failure throws and main exits 1, nothing is retried.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include "bench/measure.hpp"
#include "common/base/clock.hpp"
#include "bench/raw_kafka.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/logger.hpp"

namespace {

using namespace freshet;
using namespace freshet::bench;
using namespace std::chrono_literals;

constexpr auto stall_limit = 60s; // no progress for this long = broken run, not a slow one

// The relay batches like common/stream's at-least-once stage did at 49aae97 (stage_config defaults).
// Kept here rather than read from stage_config: a yardstick that moves with the code it measures
// cannot show that code getting faster or slower.
constexpr size_t relay_max_batch = 5000;
constexpr int relay_poll_timeout_ms = 100;

// ------------------------------------------------------------------------------------------------
// Options

struct options {
  std::string bootstrap;
  int64_t events = 1'000'000;
  int64_t relay_events = 250'000;
  int64_t warmup_events = 100'000;
  int rounds = 3;
  int partitions = 6;
  int64_t event_bytes = 200;
  int broker_pid = 0;
  std::string broker_version = "unknown";
  std::string git_rev = "unknown";
  std::string run_id;
  std::string out = "build/bench/baseline.json";
};

[[noreturn]] void usage_error(const std::string& msg) {
  fmt::print(stderr, "freshet-kafka-baseline: {} (usage: see the top of bench/kafka_baseline.cpp)\n", msg);
  std::exit(2);
}

int64_t to_count(const std::string& name, const std::string& text, int64_t min) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= min)
      return v;
  } catch (const std::exception&) {
  }
  usage_error(fmt::format("{} must be an integer >= {}, got '{}'", name, min, text));
}

std::string default_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return fmt::format("{}-{}", stamp, getpid()); // the pid tells apart two runs in the same second
}

options parse_options(int argc, char** argv) {
  options o;
  if (const char* e = std::getenv("FRESHET_BENCH_EVENTS"); e && *e)
    o.events = to_count("FRESHET_BENCH_EVENTS", e, 1);
  if (const char* e = std::getenv("FRESHET_BENCH_RELAY_EVENTS"); e && *e)
    o.relay_events = to_count("FRESHET_BENCH_RELAY_EVENTS", e, 1);
  if (const char* e = std::getenv("FRESHET_BENCH_ROUNDS"); e && *e)
    o.rounds = static_cast<int>(to_count("FRESHET_BENCH_ROUNDS", e, 1));
  if (const char* e = std::getenv("FRESHET_BENCH_OUT"); e && *e)
    o.out = e;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      fmt::print("usage: freshet-kafka-baseline --bootstrap HOST:PORT [--events N] [--relay-events N]\n"
                 "         [--warmup-events N] [--rounds N] [--partitions N] [--event-bytes N] [--broker-pid PID]\n"
                 "         [--broker-version V] [--git-rev R] [--run-id ID] [--out PATH]\n"
                 "Normally run through scripts/bench/run; see bench/README.md.\n");
      std::exit(0);
    }
    if (i + 1 >= argc)
      usage_error("missing value after " + flag);
    std::string v = argv[++i];
    if (flag == "--bootstrap")
      o.bootstrap = v;
    else if (flag == "--events")
      o.events = to_count(flag, v, 1);
    else if (flag == "--relay-events")
      o.relay_events = to_count(flag, v, 1);
    else if (flag == "--warmup-events")
      o.warmup_events = to_count(flag, v, 0);
    else if (flag == "--rounds")
      o.rounds = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--partitions")
      o.partitions = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--event-bytes")
      o.event_bytes = to_count(flag, v, 1);
    else if (flag == "--broker-pid")
      o.broker_pid = static_cast<int>(to_count(flag, v, 0));
    else if (flag == "--broker-version")
      o.broker_version = v;
    else if (flag == "--git-rev")
      o.git_rev = v;
    else if (flag == "--run-id")
      o.run_id = v;
    else if (flag == "--out")
      o.out = v;
    else
      usage_error("unknown flag " + flag);
  }
  if (o.bootstrap.empty())
    usage_error("--bootstrap is required");
  if (o.run_id.empty())
    o.run_id = default_run_id();
  return o;
}

void check(const status& s, const std::string& what) {
  if (!s.ok())
    throw std::runtime_error(what + ": " + s.err().describe());
}


// ------------------------------------------------------------------------------------------------
// Events

/// Distinct JSON-shaped events of exactly `bytes` bytes, keyed by user. Neither constant nor random
/// bytes, so lz4 sees a realistic ratio; built once, so the timed loops measure Kafka, not us.
class event_pool {
 public:
  explicit event_pool(int64_t bytes, size_t count = 4096) {
    static const char* const words[] = {"click", "view", "cart", "checkout", "search", "home", "promo", "mobile",
                                        "web",   "eu",   "us",   "beta",     "retry",  "ok",   "new",   "repeat"};
    std::mt19937_64 rng{20251125}; // fixed seed: every run sends the same bytes
    auto size = static_cast<size_t>(bytes);
    for (size_t i = 0; i < count; ++i) {
      auto user = rng() % 100000;
      std::string v = fmt::format(R"({{"event_id":"{:016x}","user":"u{:06}","page":"/products/{:04}",)"
                                  R"("ts":{},"amount":{}.{:02},"note":")",
                                  rng(), user, rng() % 10000, 1764000000000 + i * 37, rng() % 500, rng() % 100);
      while (v.size() + 2 < size)
        v.append(words[rng() % std::size(words)]).push_back(' ');
      v.resize(size >= 2 ? size - 2 : 0);
      v += "\"}";
      v.resize(size);
      values_.push_back(std::move(v));
      keys_.push_back(fmt::format("u{:06}", user));
    }
  }

  [[nodiscard]] const std::string& value(int64_t i) const { return values_[static_cast<size_t>(i) % values_.size()]; }
  [[nodiscard]] const std::string& key(int64_t i) const { return keys_[static_cast<size_t>(i) % keys_.size()]; }

 private:
  std::vector<std::string> values_;
  std::vector<std::string> keys_;
};

// ------------------------------------------------------------------------------------------------
// 1. Raw producer

/// Served by poll()/flush() on the producing thread, so plain counters suffice.
class delivery_counter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else {
      ++failed;
      last_error = m.errstr();
    }
  }
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string last_error;
};

/// Produces `n` events to `topic` with raw librdkafka and the services' producer settings, and waits
/// for every delivery report. One thread produces and serves the reports.
measurement produce_events(const options& o, const event_pool& pool, const std::string& topic, int64_t n) {
  auto conf = rdkafka_conf(kafka::producer_config(o.bootstrap, "bench-producer"));
  delivery_counter dr;
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&dr), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(err);
  std::unique_ptr<RdKafka::Producer> p{RdKafka::Producer::create(conf.get(), err)};
  if (!p)
    throw std::runtime_error("cannot create producer: " + err);
  auto known = learn_topic(*p, topic);

  auto start = read_meters(o.broker_pid);
  for (int64_t i = 0; i < n; ++i) {
    const auto& v = pool.value(i);
    const auto& k = pool.key(i);
    while (true) {
      auto code = p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             const_cast<char*>(v.data()), v.size(), k.data(), k.size(), 0, nullptr);
      if (code == RdKafka::ERR_NO_ERROR)
        break;
      if (code != RdKafka::ERR__QUEUE_FULL)
        throw std::runtime_error("produce: " + RdKafka::err2str(code));
      p->poll(5); // local queue full: serving delivery reports is what frees it
    }
    if (i % 1024 == 0)
      p->poll(0); // keep reports flowing, as the wrapper's poll thread does
  }
  if (auto code = p->flush(60000); code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("flush: " + RdKafka::err2str(code));
  auto end = read_meters(o.broker_pid);
  if (dr.failed > 0 || dr.delivered != n)
    throw std::runtime_error(fmt::format("{} of {} events delivered ({} failed, last: {})", dr.delivered, n,
                                         dr.failed, dr.last_error));
  auto m = between(start, end, n);
  m.details["client"] = "raw librdkafka RdKafka::Producer, one thread producing (RK_MSG_COPY) and polling";
  m.details["partitions"] = o.partitions;
  return m;
}

// ------------------------------------------------------------------------------------------------
// 2. Raw consumer

/// Reads `n` events from `topic` in a fresh group with raw librdkafka and the services' consumer
/// settings (read_committed). The clock starts at the first record: group join is not throughput
/// (it is reported as startup_s). No commits here; their cost shows in the relay.
measurement consume_events(const options& o, const std::string& topic, int64_t n, const std::string& group) {
  auto conf = rdkafka_conf(kafka::consumer_config(o.bootstrap, group, "bench-consumer"));
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c{RdKafka::KafkaConsumer::create(conf.get(), err)};
  if (!c)
    throw std::runtime_error("cannot create consumer: " + err);
  if (auto code = c->subscribe({topic}); code != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("subscribe: " + RdKafka::err2str(code));

  auto subscribed = clk::now();
  auto last_progress = subscribed;
  meters start;
  int64_t got = 0;
  while (got < n) {
    std::unique_ptr<RdKafka::Message> m{c->consume(100)};
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        if (got == 0)
          start = read_meters(o.broker_pid);
        if (static_cast<int64_t>(m->len()) != o.event_bytes)
          throw std::runtime_error(fmt::format("read a {}-byte record from {}", m->len(), topic));
        ++got;
        last_progress = clk::now();
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      case RdKafka::ERR__FATAL:
        throw std::runtime_error("consume: " + m->errstr());
      default: // transient (librdkafka recovers by itself); worth seeing, not worth stopping for
        fmt::print(stderr, "consumer: {}\n", m->errstr());
    }
    if (clk::now() - last_progress > stall_limit)
      throw std::runtime_error(fmt::format("consumer stalled at {} of {} events", got, n));
  }
  auto end = read_meters(o.broker_pid);
  c->close();
  auto m = between(start, end, n);
  m.details["client"] = "raw librdkafka RdKafka::KafkaConsumer, fresh group, no commits";
  m.details["startup_s"] = seconds_between(subscribed, start.wall);
  return m;
}

// ------------------------------------------------------------------------------------------------
// 3. Relay through four topics

std::atomic<bool> relay_abort{false}; // one failed hop stops the others instead of leaving them waiting

struct hop {
  std::string from, to;
  std::atomic<bool> assigned{false};
  int64_t forwarded = 0;
  int64_t batches = 0;
  // Wall seconds per phase of the cycle, from the first batch on: where a relay's time goes.
  double poll_s = 0, produce_s = 0, flush_s = 0, commit_s = 0;
  clk::time_point first_batch_at, done_at;
  std::function<void()> on_first_batch; // the relay's clock: start ...
  std::function<void()> on_done;        // ... and stop
  std::string error;
};

/// One hop: the cycle of common/stream's stage actor (poll a batch, produce every record unchanged,
/// wait until Kafka acknowledged all of them, then commit the batch's offsets synchronously), with
/// the same batch limits but without CAF and without processing. It goes through common/kafka's
/// wrappers, so it pays exactly the services' Kafka path.
void run_hop(const options& o, hop& h, int64_t n) {
  kafka::rebalance_listener listener;
  listener.on_assign = [&h](const std::vector<kafka::topic_partition>&) { h.assigned = true; };
  std::string id = "bench-relay-" + h.from;
  auto consumer = take(kafka::consumer::create(kafka::consumer_config(o.bootstrap, id, id), listener), "consumer");
  auto producer = take(kafka::producer::create(kafka::producer_config(o.bootstrap, id)), "producer");
  auto known = learn_topic(producer->handle(), h.to);
  check(consumer->subscribe({h.from}), "subscribe");

  auto last_progress = clk::now();
  while (h.forwarded < n && !relay_abort) {
    auto t0 = clk::now();
    auto batch = take(consumer->poll_batch(relay_max_batch, relay_poll_timeout_ms), "poll");
    auto t1 = clk::now();
    if (h.batches > 0)
      h.poll_s += seconds_between(t0, t1); // before the first batch this is waiting, not relaying
    if (batch.empty()) {
      if (clk::now() - last_progress > stall_limit)
        throw std::runtime_error(fmt::format("stalled at {} of {} events", h.forwarded, n));
      continue;
    }
    if (h.batches++ == 0) {
      h.first_batch_at = t1;
      if (h.on_first_batch)
        h.on_first_batch();
    }
    auto failed = std::make_shared<std::atomic<int64_t>>(0);
    std::map<kafka::topic_partition, int64_t> next_offsets;
    for (const auto& rec : batch) {
      while (true) {
        // A fresh record per attempt: produce() takes it by value, so a rejected one is gone.
        auto s = producer->produce(kafka::forward(rec, h.to), [failed](const kafka::delivery_report& r) {
          if (!r.ok)
            failed->fetch_add(1);
        });
        if (s.ok())
          break;
        if (!s.err().retriable)
          throw std::runtime_error("produce: " + s.err().describe());
        (void) producer->flush(100); // local queue full: let it drain, as the stage does
      }
      auto& next = next_offsets[{rec.topic, rec.partition}];
      next = std::max(next, rec.offset + 1);
    }
    auto t2 = clk::now();
    check(producer->flush(60000), "flush");
    auto t3 = clk::now();
    if (*failed > 0)
      throw std::runtime_error(fmt::format("{} records not delivered to {}", failed->load(), h.to));
    std::vector<kafka::partition_offset> commits;
    for (const auto& [tp, next] : next_offsets)
      commits.push_back({tp, next});
    check(consumer->commit(commits), "commit");
    auto t4 = clk::now();
    h.produce_s += seconds_between(t1, t2);
    h.flush_s += seconds_between(t2, t3);
    h.commit_s += seconds_between(t3, t4);
    h.forwarded += static_cast<int64_t>(batch.size());
    last_progress = clk::now();
  }
  h.done_at = clk::now();
  if (h.forwarded >= n && h.on_done)
    h.on_done();
  consumer->close();
}

/// Runs the four hops concurrently, one thread each, over `n` events already waiting in topics[0].
/// Events/s is end to end: from hop 1's first batch to hop 4's last commit.
measurement relay_events(const options& o, const std::vector<std::string>& topics, int64_t n) {
  std::vector<std::unique_ptr<hop>> hops;
  for (size_t i = 0; i + 1 < topics.size(); ++i) {
    hops.push_back(std::make_unique<hop>());
    hops.back()->from = topics[i];
    hops.back()->to = topics[i + 1];
  }
  meters start, end;
  hops.front()->on_first_batch = [&] { start = read_meters(o.broker_pid); };
  hops.back()->on_done = [&] { end = read_meters(o.broker_pid); };

  relay_abort = false;
  std::vector<std::thread> threads;
  auto launch = [&](hop& h) {
    threads.emplace_back([&o, &h, n] {
      try {
        run_hop(o, h, n);
      } catch (const std::exception& e) {
        h.error = e.what();
        relay_abort = true;
      }
    });
  };
  // Downstream hops join their groups first, while their topics are still empty, so no group join
  // overlaps the measured window (hop 1's own join ends before its first batch).
  for (size_t i = 1; i < hops.size(); ++i)
    launch(*hops[i]);
  auto deadline = clk::now() + 30s;
  auto all_assigned = [&] {
    for (size_t i = 1; i < hops.size(); ++i)
      if (!hops[i]->assigned)
        return false;
    return true;
  };
  while (!all_assigned() && !relay_abort && clk::now() < deadline)
    std::this_thread::sleep_for(10ms);
  if (!all_assigned())
    relay_abort = true;
  else
    launch(*hops.front());
  for (auto& t : threads)
    t.join();

  for (const auto& h : hops)
    if (!h->error.empty())
      throw std::runtime_error("relay hop " + h->from + " -> " + h->to + ": " + h->error);
  if (!all_assigned())
    throw std::runtime_error("relay consumers got no partitions within 30 s");

  auto m = between(start, end, n);
  json batches = json::array();
  json phases = json::array();
  for (const auto& h : hops) {
    batches.push_back(h->batches);
    phases.push_back({{"first_batch_at", seconds_between(start.wall, h->first_batch_at)},
                      {"done_at", seconds_between(start.wall, h->done_at)},
                      {"poll", h->poll_s},
                      {"produce", h->produce_s},
                      {"flush", h->flush_s},
                      {"commit", h->commit_s}});
  }
  m.details["hops"] = hops.size();
  m.details["mode"] = "concurrent: one thread per hop (consume -> produce -> flush -> commitSync)";
  m.details["client"] = "freshet::kafka::consumer/producer wrappers";
  m.details["max_batch"] = relay_max_batch;
  m.details["poll_timeout_ms"] = relay_poll_timeout_ms;
  m.details["batches_per_hop"] = batches;
  m.details["phase_s_per_hop"] = phases;
  m.details["cpu_s_per_million_per_hop"] = per_million(m.cpu_s, n) / static_cast<double>(hops.size());
  return m;
}

// ------------------------------------------------------------------------------------------------
// Report

void print_table(const options& o, const std::vector<std::pair<std::string, measurement>>& results) {
  fmt::print("\nKafka baseline, run {}: {}-byte events, {} partitions, the services' client settings,\n"
             "median of {} round(s)\n\n",
             o.run_id, o.event_bytes, o.partitions, o.rounds);
  fmt::print("{:<16} {:>9} {:>8} {:>10} {:>7} {:>7} {:>14} {:>15}\n", "benchmark", "events", "seconds", "events/s",
             "spread", "MB/s", "cpu-s/M bench", "cpu-s/M broker");
  for (const auto& [name, m] : results) {
    std::string broker = m.broker_cpu_s >= 0 ? fmt::format("{:.2f}", per_million(m.broker_cpu_s, m.events)) : "n/a";
    fmt::print("{:<16} {:>9} {:>8.2f} {:>10.0f} {:>6.0f}% {:>7.1f} {:>14.2f} {:>15}\n", name, m.events, m.seconds,
               rate(m), m.details.value("spread", 0.0) * 100,
               static_cast<double>(m.events * o.event_bytes) / m.seconds / 1e6, per_million(m.cpu_s, m.events),
               broker);
  }
  fmt::print("\nspread = (fastest - slowest round) / median, in events/s. cpu-s/M = CPU seconds per million\n"
             "events. 'bench' is this process only (getrusage, all threads); the broker's CPU is NOT included\n"
             "in it and is shown apart ('broker': the JVM, from /proc/<pid>/stat).\n"
             "relay_4_topics: 4 hops t0->t1->t2->t3->t4 running concurrently, one thread each; events/s is\n"
             "end to end; CPU covers all 4 hops (divide by 4 for one hop). MB/s counts payload bytes only.\n\n");
}

void write_json(const options& o, const std::vector<std::pair<std::string, measurement>>& results,
                double load_at_start) {
  json doc;
  doc["schema_version"] = 1;
  doc["run_id"] = o.run_id;
  doc["timestamp"] = format_utc_ms(now_ms());
  doc["git_rev"] = o.git_rev;
  doc["machine"] = machine_json();
  doc["machine"]["load_average_1m"] = {{"start", load_at_start}, {"end", load_average_1m()}};
  doc["software"] = {{"librdkafka", RdKafka::version_str()},   {"kafka_broker", o.broker_version},
                     {"compiler", "g++ " __VERSION__},            {"build_type", FRESHET_BUILD_TYPE},
                     {"sanitized", static_cast<bool>(FRESHET_SANITIZED)}};
  // The exact client settings measured, so a later comparison can tell a config change from a regression.
  doc["settings"] = {{"event_bytes", o.event_bytes},
                     {"partitions", o.partitions},
                     {"warmup_events", o.warmup_events},
                     {"rounds", o.rounds},
                     {"broker_cpu_included_in_cpu_s", false},
                     {"producer_config", kafka::producer_config("<bootstrap>", "<client>")},
                     {"consumer_config", kafka::consumer_config("<bootstrap>", "<group>", "<client>")}};
  json res = json::object();
  for (const auto& [name, m] : results)
    res[name] = result_json(m, o.event_bytes);
  doc["results"] = res;

  std::filesystem::path path{o.out};
  if (path.has_parent_path())
    std::filesystem::create_directories(path.parent_path());
  std::ofstream out{path};
  out << doc.dump(2) << '\n';
  if (!out.flush())
    throw std::runtime_error("cannot write " + o.out);
  fmt::print("wrote {}\n", o.out);
}

void step(const std::string& what) {
  fmt::print(stderr, "[bench] {}\n", what);
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse_options(argc, argv);
  // The wrappers log every partition assignment at info; the table should not drown in them.
  log::setup("bench", "warn", log::format::text);
  if (FRESHET_SANITIZED || std::string_view{FRESHET_BUILD_TYPE} == "Debug")
    fmt::print(stderr, "[bench] WARNING: {} build{}: these figures are no baseline\n", FRESHET_BUILD_TYPE,
               FRESHET_SANITIZED ? " with sanitizers" : "");
  double load_at_start = load_average_1m();
  if (load_at_start > 0.75 * std::thread::hardware_concurrency())
    fmt::print(stderr, "[bench] WARNING: load average {:.1f} on {} cores: something else is busy, rates will be noisy\n",
               load_at_start, std::thread::hardware_concurrency());
  try {
    event_pool pool{o.event_bytes};
    // Every round gets topics of its own, so each consumer reads exactly what its round produced.
    auto topic = [&](const std::string& what) { return "bench." + o.run_id + "." + what; };
    auto relay_topics = [&](int round) {
      std::vector<std::string> names;
      for (int i = 0; i <= 4; ++i)
        names.push_back(topic(fmt::format("r{}.t{}", round, i)));
      return names;
    };
    std::vector<config::topic_spec> specs{{"bench", topic("warmup"), o.partitions}};
    for (int r = 0; r < o.rounds; ++r) {
      specs.push_back({"bench", topic(fmt::format("r{}.events", r)), o.partitions});
      for (const auto& name : relay_topics(r))
        specs.push_back({"bench", name, o.partitions});
    }
    step("creating topics");
    check(kafka::create_topics(o.bootstrap, specs), "create topics");

    // A freshly started JVM runs interpreted code; an untimed round first lets its JIT settle.
    if (o.warmup_events > 0) {
      step(fmt::format("warm-up: {} events through the broker (not measured)", o.warmup_events));
      (void) produce_events(o, pool, topic("warmup"), o.warmup_events);
      (void) consume_events(o, topic("warmup"), o.warmup_events, "bench-warmup-" + o.run_id);
    }

    std::vector<measurement> producer_runs, consumer_runs, relay_runs;
    for (int r = 0; r < o.rounds; ++r) {
      auto events_topic = topic(fmt::format("r{}.events", r));
      auto relay = relay_topics(r);
      step(fmt::format("round {}/{}: kafka_producer, {} events", r + 1, o.rounds, o.events));
      producer_runs.push_back(produce_events(o, pool, events_topic, o.events));
      step(fmt::format("round {}/{}: kafka_consumer, {} events", r + 1, o.rounds, o.events));
      consumer_runs.push_back(consume_events(o, events_topic, o.events, fmt::format("bench-consumer-{}-r{}", o.run_id, r)));
      step(fmt::format("round {}/{}: relay_4_topics, filling t0 with {} events (not measured)", r + 1, o.rounds,
                       o.relay_events));
      (void) produce_events(o, pool, relay.front(), o.relay_events);
      step(fmt::format("round {}/{}: relay_4_topics, relaying", r + 1, o.rounds));
      relay_runs.push_back(relay_events(o, relay, o.relay_events));
    }
    std::vector<std::pair<std::string, measurement>> results{{"kafka_producer", median_run(producer_runs)},
                                                             {"kafka_consumer", median_run(consumer_runs)},
                                                             {"relay_4_topics", median_run(relay_runs)}};
    print_table(o, results);
    write_json(o, results, load_at_start);
  } catch (const std::exception& e) {
    fmt::print(stderr, "freshet-kafka-baseline: {}\n", e.what());
    return 1;
  }
  return 0;
}
