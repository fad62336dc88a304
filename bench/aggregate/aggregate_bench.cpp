// freshet-aggregate-bench (issue 5): what the aggregate service costs, for a metric set of a
// 1-minute tumbling and a 10-second hopping window (hop 2 s) over 3 group-by dimensions (stream,
// country, device), each with count, sum, avg, count_distinct and quantiles:
//
// - processor: the stateful processor alone (JSON decode, both metrics, rollup encoding, state
//   records, outbox), state in memory, no Kafka: events per second per core (thread CPU time), on
//   the stage run's workload (a backlog in batches of the stage's max_batch, wall-clock processing
//   time). Its cost per event depends mostly on the batch size (state records are written per
//   touched window per call) and on rollups per event (early results): both are printed, here and
//   for the processor inside the stage and latency runs, so the lines compare.
// - stage: the whole exactly-once stage on the broker (6 input partitions, transactions, RocksDB and
//   changelog, post-commit serving hand-off to a null store): events/s and events/s per core of
//   process CPU (the broker's CPU is reported apart).
// - latency: events offered at a fixed rate with event time = now; per event, the time from its
//   produce call to the first committed rollup (read by a read_committed consumer) whose count
//   includes it: p50/p95/p99.
// - restore: a large state (user_id as third dimension, windows kept an hour) built by one
//   instance, taken over by a fresh one with an empty RocksDB: changelog -> RocksDB restore time
//   and RocksDB -> operators rebuild time, per GB of live state (measured on the restored
//   instance while it holds its partitions: a stage drops their entries when it stops).
//
// Usage: freshet-aggregate-bench --bootstrap HOST:PORT [--broker-pid N] [--out FILE]
//          [--only processor|stage|latency|restore] [--events N] [--batch N] [--early-ms N]
//          [--stage-events N]
//          [--latency-rate N] [--latency-seconds N] [--restore-events N] [--git-rev R]
// `--bootstrap` may be omitted with `--only processor`. Run through scripts/bench/run (`make bench`).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "bench/aggregate/bench_runs.hpp"
#include "common/log/logger.hpp"

int main(int argc, char** argv) {
  using namespace freshet::bench;
  aggregate::run_options o;
  std::string out, only, git_rev = "unknown";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--bootstrap")
      o.bootstrap = v;
    else if (k == "--broker-pid")
      o.broker_pid = std::atoi(v.c_str());
    else if (k == "--out")
      out = v;
    else if (k == "--only")
      only = v;
    else if (k == "--events")
      o.processor_events = std::atoll(v.c_str());
    else if (k == "--batch")
      o.processor_batch = static_cast<size_t>(std::atoll(v.c_str()));
    else if (k == "--early-ms")
      o.early_ms = std::atoll(v.c_str());
    else if (k == "--stage-events")
      o.stage_events = std::atoll(v.c_str());
    else if (k == "--latency-rate")
      o.latency_rate = std::atoi(v.c_str());
    else if (k == "--latency-seconds")
      o.latency_seconds = std::atoi(v.c_str());
    else if (k == "--restore-events")
      o.restore_events = std::atoll(v.c_str());
    else if (k == "--git-rev")
      git_rev = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", k.c_str());
      return 2;
    }
  }
  if (o.bootstrap.empty() && only != "processor") {
    std::fprintf(stderr, "--bootstrap is required (or --only processor)\n");
    return 2;
  }
  freshet::log::setup("aggregate-bench", "warn", freshet::log::format::text);
  json report{{"schema_version", 1},
              {"benchmark", "aggregate"},
              {"git_rev", git_rev},
              {"machine", machine_json()},
              {"load_average_1m_start", load_average_1m()},
              {"metric_set", "tumbling 1m + hopping 10s/2s over (stream, country, device); count, sum, avg, "
                             "count_distinct, quantiles"},
              {"results", json::object()}};
  if (load_average_1m() > 1.5)
    std::fprintf(stderr, "aggregate bench: load average %.1f at start: rates will be noisy (CPU per event less so)\n",
                 load_average_1m());
  auto want = [&](const char* what) { return only.empty() || only == what; };
  if (want("processor"))
    report["results"]["processor"] = aggregate::run_processor_only(o);
  if (want("stage"))
    report["results"]["stage"] = aggregate::run_stage_throughput(o);
  if (want("latency"))
    report["results"]["latency"] = aggregate::run_latency(o);
  if (want("restore"))
    report["results"]["restore"] = aggregate::run_restore(o);
  report["load_average_1m_end"] = load_average_1m();
  std::printf("load average (1 min): %.2f at start, %.2f at end; %s\n", report["load_average_1m_start"].get<double>(),
              report["load_average_1m_end"].get<double>(), report["machine"].dump().c_str());
  if (!out.empty()) {
    std::ofstream f(out);
    f << report.dump(2) << "\n";
    std::printf("report: %s\n", out.c_str());
  }
  return 0;
}
