#include "bench/aggregate/bench_runs.hpp"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
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
    sc.on_committed = [this, p](std::vector<kafka::outgoing_record>& outs) {
      auto c0 = thread_cpu_s();
      p->committed(outs);
      calls_.cpu_ns += static_cast<int64_t>((thread_cpu_s() - c0) * 1e9);
    };
    const std::string rollups_topic = t.rollups;
    auto stage = stream::spawn_stage(
      sys_, sc,
      [this, p, rollups_topic](const std::vector<kafka::consumed_record>& batch, stream::stage_state& state) {
        auto c0 = thread_cpu_s();
        auto out = p->process(batch, state);
        calls_.cpu_ns += static_cast<int64_t>((thread_cpu_s() - c0) * 1e9);
        if (!batch.empty()) {
          ++calls_.calls;
          calls_.events += static_cast<int64_t>(batch.size());
        }
        if (out) {
          calls_.outputs += static_cast<int64_t>(out->size());
          calls_.rollups += std::count_if(out->begin(), out->end(),
                                          [&](const kafka::outgoing_record& r) { return r.topic == rollups_topic; });
        }
        if (measure_requested_ && !measured_)
          measure_state(state);
        return out;
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

  /// What the processor did inside the stage: calls with records, their records, its outputs
  /// (without the changelog, which the stage appends), and its thread CPU (process + committed).
  struct call_counts {
    std::atomic<int64_t> calls{0}, events{0}, outputs{0}, rollups{0}, cpu_ns{0};
  };
  [[nodiscard]] const call_counts& calls() const { return calls_; }

  /// The live state this instance holds, as the stage state shows it (committed entries of every
  /// held partition; bytes as stored: "<topic>\x1f<partition>\x1f" + key, and value). Measured on
  /// the stage actor at its next processor call (a tick when idle), since the store is the
  /// actor's alone; the stage drops a partition's entries when it gives the partition up (also on
  /// stop), so this must be read while the stage runs.
  struct state_size {
    uint64_t bytes = 0, entries = 0, partitions = 0;
  };
  [[nodiscard]] std::optional<state_size> measure_live_state(double timeout_s) {
    measure_requested_ = true;
    if (!wait([&] { return measured_.load(); }, timeout_s))
      return std::nullopt;
    return live_state_;
  }
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
  call_counts calls_;
  std::atomic<bool> measure_requested_{false};
  std::atomic<bool> measured_{false};
  state_size live_state_; ///< written on the actor before `measured_` is set

  void measure_state(stream::stage_state& state) {
    state_size s;
    for (const auto& tp : state.held()) {
      const size_t prefix = tp.topic.size() + std::to_string(tp.partition).size() + 2;
      ++s.partitions;
      (void) state.scan(tp, "", [&](std::string_view k, std::string_view v) {
        s.bytes += prefix + k.size() + v.size();
        ++s.entries;
        return true;
      });
    }
    live_state_ = s;
    measured_ = true;
  }
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
  // The same workload as the stage run: a backlog worked through in batches of the stage's
  // max_batch, processing time = the wall clock (so early rounds per event depend on the speed,
  // as in the stage), the events' time starting ten minutes back.
  auto opts = options_for(t);
  rollup_processor proc{metric_set(o.early_ms), opts, sink};
  event_options eo;
  eo.start_ms = now_ms() - 600'000;
  event_source src{eo, 42};
  const size_t batch_size = std::max<size_t>(o.processor_batch, 1);
  double cpu = 0;
  int64_t rollups = 0, late = 0, calls = 0;
  auto wall0 = clk::now();
  std::vector<kafka::consumed_record> batch;
  for (int64_t i = 0; i < o.processor_events;) {
    batch.clear();
    for (size_t k = 0; k < batch_size && i < o.processor_events; ++k, ++i)
      batch.push_back(src.record(i, t.input));
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
    ++calls;
  }
  double wall = seconds_between(wall0, clk::now());
  const auto events = static_cast<double>(o.processor_events);
  json j{{"events", o.processor_events},
         {"cpu_s", cpu},
         {"events_per_s_per_core", events / cpu},
         {"batch", batch_size},
         {"events_per_call", events / static_cast<double>(calls)},
         {"rollups", rollups},
         {"rollups_per_event", static_cast<double>(rollups) / events},
         {"state_writes_per_event", static_cast<double>(state.writes()) / events},
         {"late_events", late},
         {"state_bytes", state.bytes()},
         {"state_entries", state.entries()},
         {"early_every_ms", o.early_ms},
         {"note", "thread CPU of process()+in-memory commit+serving hand-off; no Kafka, no RocksDB; event "
                  "generation excluded; wall incl. generation " +
                    std::to_string(wall) + " s"}};
  std::printf("processor alone    %9lld events  %8.0f events/s per core   (batches of %zu; %.2f rollups/event, %.1f "
              "state writes/event; state %.1f MB)\n",
              static_cast<long long>(o.processor_events), events / cpu, batch_size, j["rollups_per_event"].get<double>(),
              j["state_writes_per_event"].get<double>(), static_cast<double>(state.bytes()) / 1e6);
  return j;
}

/// The processor's share of a stage run (from `stage_under_test::calls`), for the report.
static void add_processor_share(json& j, const stage_under_test::call_counts& c, double records_out) {
  const auto n = static_cast<double>(std::max<int64_t>(c.events, 1));
  j["processor_calls_with_records"] = c.calls.load();
  j["events_per_call"] = c.calls > 0 ? static_cast<double>(c.events) / static_cast<double>(c.calls) : 0.0;
  j["rollups_per_event"] = static_cast<double>(c.rollups) / n;
  j["changelog_records_per_event"] = (records_out - static_cast<double>(c.outputs)) / n;
  j["processor_cpu_s"] = static_cast<double>(c.cpu_ns) / 1e9;
  j["processor_events_per_s_per_core"] = c.cpu_ns > 0 ? n / (static_cast<double>(c.cpu_ns) / 1e9) : 0.0;
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
  const double records_out = stage.metric("freshet_stage_records_out_total").value;
  std::filesystem::remove_all(dir);
  auto events = static_cast<int64_t>(in1 - in0);
  auto m = between(m0, m1, events);
  json j = result_json(m, 200);
  j["complete"] = done;
  j["events_per_s_per_core"] = m.cpu_s > 0 ? static_cast<double>(events) / m.cpu_s : 0.0;
  j["rollups_served"] = stage.served();
  j["commits"] = stage.metric("freshet_stage_commits_total").value;
  j["early_every_ms"] = o.early_ms;
  add_processor_share(j, stage.calls(), records_out);
  std::printf("stage on Kafka     %9lld events  %8.0f events/s wall  %8.0f events/s per core (process CPU %.1f s, "
              "broker CPU %.1f s)\n"
              "  its processor             %8.0f events/s per core   (%.0f events/call; %.2f rollups/event, %.1f "
              "changelog records/event)\n",
              static_cast<long long>(events), rate(m), j["events_per_s_per_core"].get<double>(), m.cpu_s,
              m.broker_cpu_s, j["processor_events_per_s_per_core"].get<double>(), j["events_per_call"].get<double>(),
              j["rollups_per_event"].get<double>(), j["changelog_records_per_event"].get<double>());
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
  const double records_out = stage.metric("freshet_stage_records_out_total").value;
  const double commits = stage.metric("freshet_stage_commits_total").value;
  const auto commit_s = stage.metric("freshet_stage_commit_seconds");
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
         {"max_ms", percentile(latencies_ms, 1.0)},
         {"commits", commits},
         {"commit_call_ms_mean", commit_s.count > 0 ? 1000 * commit_s.sum / commit_s.count : 0.0}};
  add_processor_share(j, stage.calls(), records_out);
  std::printf("event-to-rollup    %9lld events at %d/s: p50 %.0f ms  p95 %.0f ms  p99 %.0f ms  max %.0f ms "
              "(early every %lld ms, read_committed)\n",
              static_cast<long long>(seen), o.latency_rate, j["p50_ms"].get<double>(), j["p95_ms"].get<double>(),
              j["p99_ms"].get<double>(), j["max_ms"].get<double>(), static_cast<long long>(o.latency_early_ms));
  std::printf("  its processor             %8.0f events/s per core   (%.0f events/call; %.2f rollups/event, %.1f "
              "changelog records/event; %.0f commits, %.0f ms each)\n",
              j["processor_events_per_s_per_core"].get<double>(), j["events_per_call"].get<double>(),
              j["rollups_per_event"].get<double>(), j["changelog_records_per_event"].get<double>(), commits,
              j["commit_call_ms_mean"].get<double>());
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
  double fill_s = 0, changelog_written = 0;
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
    // Everything the stage produced that the processor did not: its changelog records.
    changelog_written = a.metric("freshet_stage_records_out_total").value - static_cast<double>(a.calls().outputs);
  }
  std::filesystem::remove_all(dir_a);
  // A fresh instance (empty RocksDB) takes over and restores everything from the changelog; its
  // processor then rebuilds the operators of every partition from RocksDB on its first tick.
  auto dir_b = std::filesystem::temp_directory_path() / unique("store-b");
  double restore_s = 0, restored = 0, rebuild_s = 0, rebuild_records = 0;
  uint64_t bytes = 0, entries = 0;
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
    // The live state's size: what the restored instance holds, read while it still holds it (a
    // stage gives up its partitions' entries when it stops, so RocksDB is empty afterwards).
    if (auto size = b.measure_live_state(120); size) {
      bytes = size->bytes;
      entries = size->entries;
      if (size->partitions != static_cast<uint64_t>(partitions))
        std::fprintf(stderr, "aggregate bench: state measured on %llu of %d partitions\n",
                     static_cast<unsigned long long>(size->partitions), partitions);
    } else {
      std::fprintf(stderr, "aggregate bench: the restored state could not be measured\n");
    }
    b.stop();
  }
  std::filesystem::remove_all(dir_b);
  const double gb = static_cast<double>(bytes) / 1e9;
  json j{{"events", o.restore_events},
         {"fill_s", fill_s},
         {"state_bytes", bytes},
         {"state_entries", entries},
         {"changelog_records_written", changelog_written},
         {"changelog_records_per_event", changelog_written / static_cast<double>(o.restore_events)},
         {"changelog_records_read", restored},
         {"changelog_restore_s", restore_s},
         {"operator_rebuild_s", rebuild_s},
         {"operator_rebuild_records", rebuild_records},
         {"restore_s_per_gb", gb > 0 ? (restore_s + rebuild_s) / gb : 0.0},
         {"changelog_restore_s_per_gb", gb > 0 ? restore_s / gb : 0.0},
         {"operator_rebuild_s_per_gb", gb > 0 ? rebuild_s / gb : 0.0}};
  std::printf("restore            %9.1f MB state (%llu entries, from %.0f changelog records = %.1f per event): "
              "changelog -> RocksDB %.2f s, RocksDB -> operators %.2f s: %.1f s per GB\n",
              static_cast<double>(bytes) / 1e6, static_cast<unsigned long long>(entries), restored,
              changelog_written / static_cast<double>(o.restore_events), restore_s, rebuild_s,
              j["restore_s_per_gb"].get<double>());
  return j;
}

} // namespace freshet::bench::aggregate
