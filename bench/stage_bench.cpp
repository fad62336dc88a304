// freshet-stage-bench: what the stage runtime (common/stream) costs on top of Kafka (issue 4).
// Over the same pre-filled input in the same run it measures (a) a raw librdkafka
// consume→produce loop, (b) the stage runtime at-least-once and (c) exactly-once with 100 ms
// commits, each with the pass-through processor and with the quality gate's and enrich's real
// processors, then each one's latency under a steady load. It reports EOS/ALO (target >= 0.8) and
// EOS/raw (target >= 0.6) per stage, and p50/p99 latency. A missed target is reported, never an
// error. See bench/README.md, "Stage benchmark".
//
// Usage: freshet-stage-bench --bootstrap HOST:PORT [--events N] [--rounds N] [--warmup-events N]
//          [--stages pass,quality_gate,quality_gate_dedupe,enrich] [--latency-rate N] [--latency-seconds N]
//          [--commit-interval-ms N] [--max-batch N] [--max-txn-records N] [--partitions N] [--event-bytes N]
//          [--pipeline-spec PATH] [--baseline PATH] [--broker-pid PID] [--broker-version V]
//          [--git-rev R] [--run-id ID] [--out PATH]
// Env (used when the flag is absent): FRESHET_STAGE_BENCH_EVENTS, FRESHET_STAGE_BENCH_ROUNDS (else
//          FRESHET_BENCH_ROUNDS), FRESHET_STAGE_BENCH_STAGES, FRESHET_STAGE_BENCH_LATENCY_SECONDS,
//          FRESHET_STAGE_BENCH_OUT.
// Needs a broker to itself (scripts/bench/run starts one); topics are named after the run id.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <fmt/format.h>
#include <prometheus/registry.h>

#include "bench/stage_report.hpp"
#include "common/kafka/admin.hpp"
#include "common/log/logger.hpp"

namespace {

using namespace freshet;
using namespace freshet::bench;
using namespace freshet::bench::stage;
using namespace std::chrono_literals;

constexpr auto stall_limit = 60s;    // no progress for this long = a broken run, not a slow one
constexpr auto watch_interval = 10ms; // how often the group's commits are read: the clock's resolution

/// `end` with every number that `start` also has replaced by the difference: counters over a window.
json numbers_since(const json& end, const json& start) {
  if (end.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : end.items())
      out[k] = start.is_object() && start.contains(k) ? numbers_since(v, start[k]) : v;
    return out;
  }
  if (end.is_number() && start.is_number() && !end.is_number_integer())
    return end.get<double>() - start.get<double>();
  if (end.is_number_integer() && start.is_number_integer() && end != start)
    return end.get<int64_t>() - start.get<int64_t>();
  return end;
}

[[noreturn]] void usage_error(const std::string& msg) {
  fmt::print(stderr, "freshet-stage-bench: {} (usage: see the top of bench/stage_bench.cpp)\n", msg);
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

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in{text};
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty())
      out.push_back(item);
  return out;
}

std::string default_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return fmt::format("{}-{}", stamp, getpid());
}

options parse_options(int argc, char** argv) {
  options o;
  o.pipeline_spec = FRESHET_SOURCE_DIR "/examples/clickstream/pipeline.yaml";
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  if (auto* e = env("FRESHET_STAGE_BENCH_EVENTS"))
    o.events = to_count("FRESHET_STAGE_BENCH_EVENTS", e, 1);
  if (auto* e = env("FRESHET_BENCH_ROUNDS"))
    o.rounds = static_cast<int>(to_count("FRESHET_BENCH_ROUNDS", e, 1));
  if (auto* e = env("FRESHET_STAGE_BENCH_ROUNDS"))
    o.rounds = static_cast<int>(to_count("FRESHET_STAGE_BENCH_ROUNDS", e, 1));
  if (auto* e = env("FRESHET_STAGE_BENCH_STAGES"))
    o.stages = split_list(e);
  if (auto* e = env("FRESHET_STAGE_BENCH_LATENCY_SECONDS"))
    o.latency_seconds = static_cast<int>(to_count("FRESHET_STAGE_BENCH_LATENCY_SECONDS", e, 0));
  if (auto* e = env("FRESHET_STAGE_BENCH_OUT"))
    o.out = e;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      fmt::print("usage: freshet-stage-bench --bootstrap HOST:PORT [--events N] [--rounds N] [--warmup-events N]\n"
                 "         [--stages pass,quality_gate,quality_gate_dedupe,enrich] [--latency-rate N] [--latency-seconds N]\n"
                 "         [--commit-interval-ms N] [--max-batch N] [--max-txn-records N] [--partitions N] [--event-bytes N]\n"
                 "         [--pipeline-spec PATH] [--baseline PATH] [--broker-pid PID] [--broker-version V]\n"
                 "         [--git-rev R] [--run-id ID] [--out PATH]\n"
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
    else if (flag == "--rounds")
      o.rounds = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--warmup-events")
      o.warmup_events = to_count(flag, v, 0);
    else if (flag == "--stages")
      o.stages = split_list(v);
    else if (flag == "--latency-rate")
      o.latency_rate = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--latency-seconds")
      o.latency_seconds = static_cast<int>(to_count(flag, v, 0));
    else if (flag == "--commit-interval-ms")
      o.commit_interval_ms = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--max-batch")
      o.max_batch = static_cast<size_t>(to_count(flag, v, 1));
    else if (flag == "--max-txn-records")
      o.max_txn_records = static_cast<size_t>(to_count(flag, v, 1));
    else if (flag == "--partitions")
      o.partitions = static_cast<int>(to_count(flag, v, 1));
    else if (flag == "--event-bytes")
      o.event_bytes = to_count(flag, v, 1);
    else if (flag == "--pipeline-spec")
      o.pipeline_spec = v;
    else if (flag == "--baseline")
      o.baseline = v;
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
  const auto& known = known_stages();
  for (const auto& s : o.stages)
    if (std::find(known.begin(), known.end(), s) == known.end())
      usage_error("unknown stage '" + s + "' (pass, quality_gate, quality_gate_dedupe, enrich)");
  if (o.run_id.empty())
    o.run_id = default_run_id();
  return o;
}

void step(const std::string& what) {
  fmt::print(stderr, "[stage-bench] {}\n", what);
}

/// The topics and groups of this run. Every run gets fresh output topics and a fresh group. All
/// topics are created up front, and used only once the broker serves every partition: librdkafka
/// 2.0.2's idempotent producer can lose the first records of a partition whose log the broker is
/// still creating, while reporting them delivered (see the README).
struct topic_names {
  const options& o;
  [[nodiscard]] std::string name(const std::string& what) const { return "stagebench." + o.run_id + "." + what; }
  [[nodiscard]] output_topics outputs(const std::string& prefix) const {
    return {name(prefix + ".out"), name(prefix + ".quarantine")};
  }
  /// A run of `plan` tagged `tag`, reading `input`.
  [[nodiscard]] pipeline_setup setup(const run_plan& plan, const std::string& input, const std::string& tag) const {
    return {plan.how, plan.stage, input, outputs(tag), name(tag + ".group")};
  }
  /// What `setup` writes to: its outputs and, for a stateful stage, its changelog (named as
  /// stage_runs.cpp names it, after wire_stateful_stage).
  [[nodiscard]] std::vector<config::topic_spec> topics_of(const pipeline_setup& setup) const {
    std::vector<config::topic_spec> specs{{"bench", setup.outputs.out, o.partitions},
                                          {"bench", setup.outputs.quarantine, 2}};
    if (stage_is_stateful(setup.stage) && setup.how == mode::exactly_once)
      specs.push_back({"bench", setup.group + "-changelog", o.partitions, "compact", -1});
    return specs;
  }
};

/// One throughput run over the `n` events waiting in `input`, timed on the group's committed
/// offsets: from the first commit the watcher sees (the events it covers are left out) until the
/// commits cover all `n` (for exactly-once: the last transaction committed, so every output is
/// visible to read_committed readers). Starting at the first commit keeps startup out of the rate
/// the same way for every pipeline: the group join, and the ~1 s a fresh producer holds its first
/// records until its once-a-second topic scan finds the output topic (the baseline avoids it with a
/// metadata request, which the stage's producer does not make).
measurement throughput_run(caf::actor_system& sys, const options& o, const run_plan& plan, const pipeline_setup& spec,
                           int64_t n, bool measured = true) {
  const auto& input = spec.input;
  commit_watcher watcher{o, spec.group, input, o.partitions};

  progress prog;
  std::atomic<int> pipeline_tid{0};
  prog.on_first_batch = [&] { pipeline_tid = current_tid(); };
  auto pipeline = start_pipeline(sys, o, spec, prog);

  auto last_change = clk::now();
  int64_t committed = 0;
  auto advance = [&] { // polls the commits; throws on a failed or stalled pipeline
    std::this_thread::sleep_for(watch_interval);
    if (auto e = pipeline->error(); !e.empty())
      throw std::runtime_error(plan.key + ": " + e);
    auto now = watcher.committed_total();
    if (now != committed)
      last_change = clk::now();
    else if (clk::now() - last_change > stall_limit)
      throw std::runtime_error(fmt::format("{}: stalled at {} of {} events committed", plan.key, committed, n));
    committed = now;
  };
  while (committed == 0)
    advance();
  auto start = read_meters(o.broker_pid);
  auto threads_start = read_thread_times();
  auto first_commit = committed;
  auto run_start = pipeline->details();
  int64_t batches_start = prog.batches, records_start = prog.records, process_ns_start = prog.process_ns;
  if (measured && first_commit > n / 2)
    throw std::runtime_error(fmt::format("{}: the first commit already covered {} of {} events; raise --events",
                                         plan.key, first_commit, n));
  while (committed < n)
    advance();
  auto end = read_meters(o.broker_pid);
  auto threads_end = read_thread_times();
  auto run_end = pipeline->details();
  int64_t batches = prog.batches - batches_start, records = prog.records - records_start;
  double process_s = static_cast<double>(prog.process_ns - process_ns_start) / 1e9;
  pipeline->stop();

  auto m = between(start, end, n - first_commit);
  m.details["mode"] = to_string(plan.how);
  m.details["stage"] = plan.how == mode::raw ? "none" : plan.stage;
  m.details["input_events"] = n;
  m.details["events_before_clock"] = first_commit;
  m.details["batches"] = batches;
  m.details["records_per_batch"] = static_cast<double>(records) / static_cast<double>(std::max<int64_t>(1, batches));
  m.details["processor_s"] = process_s;
  m.details["cpu_s_by_thread"] = cpu_by_thread(threads_start, threads_end, pipeline_tid);
  m.details["output_end_offsets"] = end_offsets_total(o, spec.outputs.out, o.partitions) +
                                    end_offsets_total(o, spec.outputs.quarantine, 2);
  m.details["run"] = numbers_since(run_end, run_start);
  return m;
}

/// fill_topic, and a check that the topic holds what librdkafka reported delivered.
void fill_checked(const options& o, const event_pool& pool, const std::string& topic, int64_t n) {
  fill_topic(o, pool, topic, n);
  if (auto held = end_offsets_total(o, topic, o.partitions); held != n)
    throw std::runtime_error(fmt::format("{} holds {} records after {} were reported delivered", topic, held, n));
}

/// Builds each requested stage's processor once, up front: a stage whose processor is not in this
/// build or cannot be set up is skipped (and listed in the report) instead of failing the run.
std::vector<std::pair<std::string, std::string>> drop_unavailable(options& o, const topic_names& topics) {
  std::vector<std::pair<std::string, std::string>> skipped;
  std::vector<std::string> kept;
  for (const auto& s : o.stages) {
    std::string why;
    if (!processor_available(s)) {
      why = "not built: this build does not link the service's library (see bench/CMakeLists.txt)";
    } else {
      try {
        prometheus::Registry scratch;
        (void) make_processor(o, s, topics.outputs("probe"), scratch);
      } catch (const std::exception& e) {
        why = e.what();
      }
    }
    if (why.empty()) {
      kept.push_back(s);
    } else {
      step("skipping stage " + s + ": " + why);
      skipped.emplace_back(s, why);
    }
  }
  o.stages = kept;
  return skipped;
}

} // namespace

int main(int argc, char** argv) {
  auto o = parse_options(argc, argv);
  log::setup("stage-bench", "warn", log::format::text);
  if (FRESHET_SANITIZED || std::string_view{FRESHET_BUILD_TYPE} == "Debug")
    fmt::print(stderr, "[stage-bench] WARNING: {} build{}: these figures are no benchmark\n", FRESHET_BUILD_TYPE,
               FRESHET_SANITIZED ? " with sanitizers" : "");
  // Stateful stages keep their RocksDB folders under here (stage_runs.cpp); removed however the run ends.
  struct state_root_cleanup {
    ~state_root_cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(state_root(), ec);
    }
  } remove_state_root;
  report rep;
  rep.load_at_start = load_average_1m();
  if (rep.load_at_start > 0.75 * std::thread::hardware_concurrency())
    fmt::print(stderr, "[stage-bench] WARNING: load average {:.1f} on {} cores: something else is busy, rates will "
                       "be noisy\n", rep.load_at_start, std::thread::hardware_concurrency());
  try {
    topic_names topics{o};
    rep.skipped = drop_unavailable(o, topics);
    auto plans = plan_runs(o.stages);

    // Services run 2 scheduler threads (common/service/runtime.cpp); each stage is a detached actor.
    caf::actor_system_config caf_cfg;
    caf_cfg.set("scheduler.max-threads", size_t{2});
    caf::actor_system sys{caf_cfg};
    event_pool pool{o.event_bytes};

    // Every run's setup first, so that all their topics can be created at once, before any is used.
    auto input = topics.name("input");
    auto warm = topics.name("warmup");
    std::vector<std::pair<run_plan, pipeline_setup>> warmups;
    if (o.warmup_events > 0)
      for (const auto& plan : {run_plan{"warmup_raw", mode::raw, "pass"}, run_plan{"warmup_eos", mode::exactly_once, "pass"}})
        warmups.emplace_back(plan, topics.setup(plan, warm, plan.key));
    std::vector<std::vector<std::pair<run_plan, pipeline_setup>>> rounds(static_cast<size_t>(o.rounds));
    for (int r = 0; r < o.rounds; ++r) {
      // The order rotates per round, so that a slow minute of a shared machine does not always hit
      // the same run.
      for (size_t i = 0; i < plans.size(); ++i) {
        const auto& plan = plans[(i + static_cast<size_t>(r)) % plans.size()];
        rounds[static_cast<size_t>(r)].emplace_back(plan, topics.setup(plan, input, fmt::format("r{}.{}", r, plan.key)));
      }
    }
    std::vector<std::pair<run_plan, pipeline_setup>> latency_runs;
    if (o.latency_seconds > 0)
      for (const auto& plan : plans)
        latency_runs.emplace_back(plan, topics.setup(plan, topics.name("lat." + plan.key + ".in"), "lat." + plan.key));

    std::vector<config::topic_spec> specs{{"bench", input, o.partitions}};
    if (!warmups.empty())
      specs.push_back({"bench", warm, o.partitions});
    auto add = [&](const pipeline_setup& setup) {
      for (auto& spec : topics.topics_of(setup))
        specs.push_back(std::move(spec));
    };
    for (const auto& [plan, setup] : warmups)
      add(setup);
    for (const auto& round : rounds)
      for (const auto& [plan, setup] : round)
        add(setup);
    for (const auto& [plan, setup] : latency_runs) {
      specs.push_back({"bench", setup.input, o.partitions});
      add(setup);
    }
    step(fmt::format("creating {} topics", specs.size()));
    check(kafka::create_topics(o.bootstrap, specs), "create topics");
    std::vector<std::pair<std::string, int>> created;
    for (const auto& spec : specs)
      created.emplace_back(spec.name, spec.partitions);
    wait_until_served(o, created);

    if (!warmups.empty()) {
      step(fmt::format("warm-up: {} events through the raw loop and an exactly-once stage (not measured)",
                       o.warmup_events));
      fill_checked(o, pool, warm, o.warmup_events);
      for (const auto& [plan, setup] : warmups)
        (void) throughput_run(sys, o, plan, setup, o.warmup_events, false);
    }
    step(fmt::format("filling the input topic with {} events (not measured)", o.events));
    fill_checked(o, pool, input, o.events);

    for (int r = 0; r < o.rounds; ++r) {
      for (const auto& [plan, setup] : rounds[static_cast<size_t>(r)]) {
        step(fmt::format("round {}/{}: {}, {} events", r + 1, o.rounds, plan.key, o.events));
        rep.rounds[plan.key].push_back(throughput_run(sys, o, plan, setup, o.events));
      }
    }
    for (const auto& [plan, setup] : latency_runs) {
      step(fmt::format("latency: {}, {} events/s for {} s", plan.key, o.latency_rate, o.latency_seconds));
      rep.latency[plan.key] = measure_latency(sys, o, pool, setup);
    }
    rep.plans = plans;
    rep.load_at_end = load_average_1m();
    auto doc = build_report(o, rep);
    print_report(o, doc);
    write_report(o, doc);
  } catch (const std::exception& e) {
    fmt::print(stderr, "freshet-stage-bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
