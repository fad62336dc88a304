#include "bench/aggregate/bench_runs.hpp"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <prometheus/registry.h>

#include "bench/aggregate/bench_workload.hpp"
#include "common/base/clock.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/consumer.hpp"
#include "common/kafka/producer.hpp"
#include "common/state/kv_store.hpp"
#include "common/stream/stage.hpp"
#include "services/aggregate/aggregate_probe.hpp"
#include "services/aggregate/rollup_processor.hpp"

namespace freshet::bench::aggregate {

namespace {

using freshet::aggregate::processor_options;
using freshet::aggregate::rollup_processor;

constexpr int32_t partitions = 6;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string unique(const std::string& what) {
  return "aggbench-" + what + "-" + std::to_string(std::random_device{}() % 1'000'000'000);
}

struct metric_totals {
  double value = 0; ///< counters and gauges, summed
  double count = 0; ///< histograms
  double sum = 0;
};

metric_totals totals(prometheus::Registry& reg, const std::string& name) {
  metric_totals t;
  for (const auto& family : reg.Collect()) {
    if (family.name != name)
      continue;
    for (const auto& m : family.metric) {
      t.value += m.counter.value + m.gauge.value;
      t.count += static_cast<double>(m.histogram.sample_count);
      t.sum += m.histogram.sample_sum;
    }
  }
  return t;
}

/// Topics of one run.
struct run_topics {
  std::string input, rollups, late, dlq, changelog, group;

  explicit run_topics(const std::string& name) {
    auto id = unique(name);
    input = id + ".enriched";
    rollups = id + ".rollups";
    late = id + ".late";
    dlq = id + ".dlq";
    changelog = id + ".changelog";
    group = id;
  }

  void create(const std::string& bootstrap) const {
    auto st = kafka::create_topics(bootstrap, {{"in", input, partitions, "delete", -1},
                                               {"rollups", rollups, partitions, "delete", -1},
                                               {"late", late, 2, "delete", -1},
                                               {"dlq", dlq, 1, "delete", -1},
                                               {"changelog", changelog, partitions, "compact", -1}});
    if (!st.ok()) {
      std::fprintf(stderr, "aggregate bench: %s\n", st.err().describe().c_str());
      std::exit(1);
    }
  }
};

processor_options options_for(const run_topics& t) {
  processor_options o;
  o.pipeline = "bench";
  o.input_topic = t.input;
  o.rollups_topic = t.rollups;
  o.late_topic = t.late;
  o.dlq_topic = t.dlq;
  o.stream_event_time = {{"page_view", "ts"}, {"add_to_cart", "ts"}, {"purchase", "ts"}};
  return o;
}

/// Produces records as fast as the producer takes them (not timed).
void produce_all(const std::string& bootstrap, int64_t n, const std::function<kafka::consumed_record(int64_t)>& make) {
  auto p = kafka::producer::create(kafka::producer_config(bootstrap, "aggregate-bench-feed"));
  if (!p) {
    std::fprintf(stderr, "aggregate bench: %s\n", p.err().describe().c_str());
    std::exit(1);
  }
  std::atomic<int64_t> failed{0};
  for (int64_t i = 0; i < n; ++i) {
    auto r = make(i);
    kafka::outgoing_record out{r.topic, r.partition, r.key, r.value, r.headers, r.timestamp_ms};
    while (!(*p)->produce(out, [&failed](const kafka::delivery_report& d) { failed += d.ok ? 0 : 1; }).ok())
      (void) (*p)->flush(100);
  }
  if (!(*p)->flush(120000).ok() || failed > 0) {
    std::fprintf(stderr, "aggregate bench: %lld records not delivered\n", static_cast<long long>(failed.load()));
    std::exit(1);
  }
}

/// One exactly-once stateful stage running the aggregate processor, as wire_stateful_stage sets it up.
class stage_under_test {
 public:
  stage_under_test(const run_options& o, const run_topics& t, std::vector<freshet::aggregate::metric_plan> plans,
                   const std::string& store_dir, const std::string& instance)
      : sys_(cfg_), registry_(std::make_shared<prometheus::Registry>()) {
    probe_ = std::make_unique<freshet::aggregate::aggregate_probe>(*registry_);
    proc_ = std::make_unique<rollup_processor>(std::move(plans), options_for(t), sink_, probe_.get());
    stream::stage_config sc;
    sc.name = "aggregate";
    sc.inputs = {t.input};
    sc.consumer = kafka::consumer_config(o.bootstrap, t.group, "aggregate-" + instance);
    sc.consumer["group.instance.id"] = t.group + "-" + instance;
    sc.producer = kafka::producer_config(o.bootstrap, "aggregate-" + instance);
    sc.transactional_id = t.group + "-" + instance;
    sc.changelog_topic = t.changelog;
    sc.open_store = [store_dir] { return state::open_rocksdb({store_dir}); };
    sc.tick_interval_ms = 100;
    auto* p = proc_.get();
    sc.on_committed = [p](std::vector<kafka::outgoing_record>& outs) { p->committed(outs); };
    auto stage = stream::spawn_stage(
      sys_, sc,
      [p](const std::vector<kafka::consumed_record>& batch, stream::stage_state& state) {
        return p->process(batch, state);
      },
      *registry_);
    if (!stage) {
      std::fprintf(stderr, "aggregate bench: %s\n", stage.err().describe().c_str());
      std::exit(1);
    }
    stage_ = *stage;
  }

  ~stage_under_test() { stop(); }

  void stop() {
    if (stopped_)
      return;
    stopped_ = true;
    stream::stop_stage(sys_, stage_, 60000);
  }

  [[nodiscard]] metric_totals metric(const std::string& name) { return totals(*registry_, name); }
  [[nodiscard]] size_t served() const { return sink_.written; }

  /// Polls `done` every 20 ms for up to `timeout_s`.
  template <class F>
  bool wait(F&& done, double timeout_s) {
    auto deadline = clk::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
    while (clk::now() < deadline) {
      if (done())
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  }

 private:
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  std::shared_ptr<prometheus::Registry> registry_;
  null_sink sink_;
  std::unique_ptr<freshet::aggregate::aggregate_probe> probe_;
  std::unique_ptr<rollup_processor> proc_;
  stream::stage_actor stage_;
  bool stopped_ = false;
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty())
    return 0;
  auto k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

} // namespace

// --- Processor alone -----------------------------------------------------------------------------

json run_processor_only(const run_options& o) {
  null_sink sink;
  memory_state state;
  run_topics t{"proc"};
  for (int32_t p = 0; p < partitions; ++p)
    state.hold({t.input, p});
  int64_t clock = 1'700'000'000'000;
  auto opts = options_for(t);
  opts.clock = [&clock] { return clock; };
  rollup_processor proc{metric_set(o.early_ms), opts, sink};
  event_options eo;
  eo.start_ms = clock;
  event_source src{eo, 42};
  const size_t batch_size = 500;
  double cpu = 0;
  int64_t rollups = 0, late = 0;
  auto wall0 = clk::now();
  std::vector<kafka::consumed_record> batch;
  for (int64_t i = 0; i < o.processor_events;) {
    batch.clear();
    for (size_t k = 0; k < batch_size && i < o.processor_events; ++k, ++i)
      batch.push_back(src.record(i, t.input));
    clock = 1'700'000'000'000 + static_cast<int64_t>(static_cast<double>(i) * 0.05); // processing time keeps pace
    auto c0 = thread_cpu_s();
    auto out = proc.process(batch, state);
    if (!out) {
      std::fprintf(stderr, "aggregate bench: %s\n", out.err().describe().c_str());
      std::exit(1);
    }
    state.commit();
    for (const auto& r : *out) {
      rollups += r.topic == t.rollups;
      late += r.topic == t.late;
    }
    proc.committed(*out);
    cpu += thread_cpu_s() - c0;
  }
  double wall = seconds_between(wall0, clk::now());
  json j{{"events", o.processor_events},
         {"cpu_s", cpu},
         {"events_per_s_per_core", static_cast<double>(o.processor_events) / cpu},
         {"rollups", rollups},
         {"late_events", late},
         {"state_bytes", state.bytes()},
         {"state_entries", state.entries()},
         {"early_every_ms", o.early_ms},
         {"note", "thread CPU of process()+commit+serving hand-off; event generation excluded; wall incl. generation " +
                    std::to_string(wall) + " s"}};
  std::printf("processor alone    %9lld events  %8.0f events/s per core   (%lld rollups, state %.1f MB)\n",
              static_cast<long long>(o.processor_events), static_cast<double>(o.processor_events) / cpu,
              static_cast<long long>(rollups), static_cast<double>(state.bytes()) / 1e6);
  return j;
}

// --- The whole stage on the broker ---------------------------------------------------------------

json run_stage_throughput(const run_options& o) {
  run_topics t{"stage"};
  t.create(o.bootstrap);
  const int64_t start = now_ms() - 600'000;
  event_options eo;
  eo.start_ms = start;
  event_source src{eo, 7};
  produce_all(o.bootstrap, o.stage_events, [&](int64_t i) { return src.record(i, t.input); });
  auto dir = std::filesystem::temp_directory_path() / unique("store");
  stage_under_test stage{o, t, metric_set(o.early_ms), dir.string(), "bench-0"};
  if (!stage.wait([&] { return stage.metric("freshet_stage_records_in_total").value > 0; }, 60)) {
    std::fprintf(stderr, "aggregate bench: the stage read nothing\n");
    std::exit(1);
  }
  auto m0 = read_meters(o.broker_pid);
  auto in0 = stage.metric("freshet_stage_records_in_total").value;
  bool done = stage.wait(
    [&] { return stage.metric("freshet_stage_records_in_total").value >= static_cast<double>(o.stage_events); }, 600);
  auto m1 = read_meters(o.broker_pid);
  auto in1 = stage.metric("freshet_stage_records_in_total").value;
  stage.stop();
  std::filesystem::remove_all(dir);
  auto events = static_cast<int64_t>(in1 - in0);
  auto m = between(m0, m1, events);
  json j = result_json(m, 200);
  j["complete"] = done;
  j["events_per_s_per_core"] = m.cpu_s > 0 ? static_cast<double>(events) / m.cpu_s : 0.0;
  j["rollups_served"] = stage.served();
  j["commits"] = stage.metric("freshet_stage_commits_total").value;
  j["early_every_ms"] = o.early_ms;
  std::printf("stage on Kafka     %9lld events  %8.0f events/s wall  %8.0f events/s per core (process CPU %.1f s, "
              "broker CPU %.1f s)\n",
              static_cast<long long>(events), rate(m), j["events_per_s_per_core"].get<double>(), m.cpu_s,
              m.broker_cpu_s);
  return j;
}

// --- Latency -------------------------------------------------------------------------------------

json run_latency(const run_options& o) {
  run_topics t{"latency"};
  t.create(o.bootstrap);
  auto dir = std::filesystem::temp_directory_path() / unique("store");
  stage_under_test stage{o, t, metric_set(o.latency_early_ms), dir.string(), "bench-0"};
  event_options eo;
  eo.jitter_ms = 0;
  event_source src{eo, 11};

  // Produce times per (partition, dims, window) in offset order, and how many have been seen.
  struct slot {
    std::vector<int64_t> produced_ns;
    size_t seen = 0;
  };
  std::mutex mu;
  std::map<std::string, slot> slots;
  std::vector<double> latencies_ms;
  auto slot_key = [](int32_t p, const std::string& a, const std::string& b, const std::string& c, int64_t w) {
    return std::to_string(p) + "|" + a + "|" + b + "|" + c + "|" + std::to_string(w);
  };
  const int64_t warmup_ns = mono_ns() + 3'000'000'000LL;

  std::atomic<bool> stop_reader{false};
  std::thread reader([&] {
    auto cfg = kafka::consumer_config(o.bootstrap, unique("reader"), "aggregate-bench-reader");
    auto c = kafka::consumer::create(cfg);
    if (!c || !(*c)->subscribe({t.rollups}).ok())
      return;
    while (!stop_reader) {
      auto batch = (*c)->poll_batch(5000, 20);
      if (!batch)
        continue;
      auto now = mono_ns();
      std::lock_guard lock{mu};
      for (const auto& r : *batch) {
        v1::Rollup x;
        if (!x.ParseFromString(r.value) || x.metric() != "tumbling_1m" || x.dims_size() != 3)
          continue;
        auto& s = slots[slot_key(x.source_partition(), x.dims(0), x.dims(1), x.dims(2), x.window_start_ms())];
        auto n = static_cast<size_t>(x.values(0).int_value());
        for (; s.seen < n && s.seen < s.produced_ns.size(); ++s.seen)
          if (s.produced_ns[s.seen] >= warmup_ns)
            latencies_ms.push_back(static_cast<double>(now - s.produced_ns[s.seen]) / 1e6);
      }
    }
  });

  // Let the stage and the reader join their groups before the clock starts.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  auto p = kafka::producer::create(kafka::producer_config(o.bootstrap, "aggregate-bench-latency"));
  if (!p)
    std::exit(1);
  const int64_t total = static_cast<int64_t>(o.latency_rate) * o.latency_seconds;
  auto started = clk::now();
  int64_t measured = 0;
  for (int64_t i = 0; i < total; ++i) {
    auto due = started + std::chrono::microseconds(i * 1'000'000 / o.latency_rate);
    std::this_thread::sleep_until(due);
    auto r = src.record_at(i, now_ms(), t.input);
    auto d = src.dims_of(i);
    {
      std::lock_guard lock{mu};
      auto ns = mono_ns();
      slots[slot_key(r.partition, d.stream, d.country, d.device, r.timestamp_ms - r.timestamp_ms % 60'000)]
        .produced_ns.push_back(ns);
      measured += ns >= warmup_ns;
    }
    kafka::outgoing_record out{r.topic, r.partition, r.key, r.value, r.headers, r.timestamp_ms};
    while (!(*p)->produce(out, nullptr).ok())
      (void) (*p)->flush(10);
  }
  (void) (*p)->flush(30000);
  // Wait for the last results (an early round plus a commit).
  for (int k = 0; k < 100; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard lock{mu};
    if (static_cast<int64_t>(latencies_ms.size()) >= measured)
      break;
  }
  stop_reader = true;
  reader.join();
  stage.stop();
  std::filesystem::remove_all(dir);
  std::lock_guard lock{mu};
  auto seen = static_cast<int64_t>(latencies_ms.size());
  json j{{"offered_events_per_s", o.latency_rate},
         {"seconds", o.latency_seconds},
         {"events_measured", seen},
         {"events_expected", measured},
         {"early_every_ms", o.latency_early_ms},
         {"commit_interval_ms", 100},
         {"p50_ms", percentile(latencies_ms, 0.50)},
         {"p95_ms", percentile(latencies_ms, 0.95)},
         {"p99_ms", percentile(latencies_ms, 0.99)},
         {"max_ms", percentile(latencies_ms, 1.0)}};
  std::printf("event-to-rollup    %9lld events at %d/s: p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms "
              "(early every %lld ms, read_committed)\n",
              static_cast<long long>(seen), o.latency_rate, j["p50_ms"].get<double>(), j["p95_ms"].get<double>(),
              j["p99_ms"].get<double>(), j["max_ms"].get<double>(), static_cast<long long>(o.latency_early_ms));
  return j;
}

// --- Restore -------------------------------------------------------------------------------------

json run_restore(const run_options& o) {
  run_topics t{"restore"};
  t.create(o.bootstrap);
  // A large state: user_id as third dimension, windows kept an hour, ten minutes of event time.
  const int64_t span_ms = 600'000;
  const int64_t start = now_ms() - span_ms - 60'000;
  event_options eo;
  eo.users = 200'000;
  eo.start_ms = start;
  eo.ms_per_event = static_cast<double>(span_ms) / static_cast<double>(o.restore_events);
  event_source src{eo, 3};
  produce_all(o.bootstrap, o.restore_events, [&](int64_t i) { return src.record(i, t.input); });
  auto plans = [] { return metric_set(0, "user_id", 3'600'000); };
  auto dir_a = std::filesystem::temp_directory_path() / unique("store-a");
  double fill_s = 0;
  {
    stage_under_test a{o, t, plans(), dir_a.string(), "bench-a"};
    auto t0 = clk::now();
    if (!a.wait([&] {
          return a.metric("freshet_stage_records_in_total").value >= static_cast<double>(o.restore_events);
        },
                1800)) {
      std::fprintf(stderr, "aggregate bench: the fill did not finish\n");
      std::exit(1);
    }
    fill_s = seconds_between(t0, clk::now());
    a.stop();
  }
  std::filesystem::remove_all(dir_a);
  // A fresh instance (empty RocksDB) takes over and restores everything from the changelog; its
  // processor then rebuilds the operators of every partition from RocksDB on its first tick.
  auto dir_b = std::filesystem::temp_directory_path() / unique("store-b");
  double restore_s = 0, restored = 0, rebuild_s = 0, rebuild_records = 0;
  {
    stage_under_test b{o, t, plans(), dir_b.string(), "bench-b"};
    bool ok = b.wait(
      [&] {
        return b.metric("freshet_stage_state_restore_seconds").count >= 1 &&
               b.metric("freshet_aggregate_operator_rebuilds_total").value >= partitions;
      },
      1800);
    if (!ok)
      std::fprintf(stderr, "aggregate bench: the restore did not finish\n");
    restore_s = b.metric("freshet_stage_state_restore_seconds").sum;
    restored = b.metric("freshet_stage_state_restored_records_total").value;
    rebuild_s = b.metric("freshet_aggregate_operator_rebuild_seconds").sum;
    rebuild_records = b.metric("freshet_aggregate_operator_rebuild_records_total").value;
    b.stop();
  }
  // The live state's size: what the restored RocksDB holds.
  uint64_t bytes = 0, entries = 0;
  {
    auto store = state::open_rocksdb({dir_b.string()});
    if (store)
      (void) (*store)->scan("", [&](std::string_view k, std::string_view v) {
        bytes += k.size() + v.size();
        ++entries;
        return true;
      });
  }
  std::filesystem::remove_all(dir_b);
  const double gb = static_cast<double>(bytes) / 1e9;
  json j{{"events", o.restore_events},
         {"fill_s", fill_s},
         {"state_bytes", bytes},
         {"state_entries", entries},
         {"changelog_records_read", restored},
         {"changelog_restore_s", restore_s},
         {"operator_rebuild_s", rebuild_s},
         {"operator_rebuild_records", rebuild_records},
         {"restore_s_per_gb", gb > 0 ? (restore_s + rebuild_s) / gb : 0.0},
         {"changelog_restore_s_per_gb", gb > 0 ? restore_s / gb : 0.0},
         {"operator_rebuild_s_per_gb", gb > 0 ? rebuild_s / gb : 0.0}};
  std::printf("restore            %9.1f MB state (%llu entries; %.0f changelog records): changelog -> RocksDB %.2f s, "
              "RocksDB -> operators %.2f s: %.1f s per GB\n",
              static_cast<double>(bytes) / 1e6, static_cast<unsigned long long>(entries), restored, restore_s,
              rebuild_s, j["restore_s_per_gb"].get<double>());
  return j;
}

} // namespace freshet::bench::aggregate
