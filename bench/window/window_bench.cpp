// freshet-window-bench: what the pure windowing engine (common/window) costs per core, with no
// Kafka and no Redis around it — the ceiling the aggregate service can reach per metric.
//
// Usage: freshet-window-bench [--events N] [--only TEXT] [--early-ms N]
//   --events N   events per run (default 2,000,000)
//   --early-ms N early results every N ms of processing time (default 1000; 0 = final results only)
//   --only TEXT  run only the rows whose label contains TEXT (e.g. "hopping", "snapshot")
//
// Prints one table: events/s per core (thread CPU time, so other load on the box does not count)
// and wall-clock events/s, for a 1-minute tumbling metric, a 10-second hopping metric (hop 2 s: five
// windows per event) and both together, each over 3 group-by dimensions; with and without the
// sketches; then snapshot and restore throughput of the state they built. Never run by ctest.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/window/window_operator.hpp"

namespace {

using namespace freshet::window;
using freshet::partition_id;

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Pre-generated events, so the timed loop measures the operator, not the generator.
struct workload {
  std::vector<std::string> pages, countries, devices, users;
  struct event {
    int32_t partition;
    int64_t time;
    int64_t proc;
    uint16_t page, country, device;
    uint32_t user;
    int64_t latency;
    double amount;
  };
  std::vector<event> events;

  explicit workload(size_t n) {
    for (int i = 0; i < 50; ++i)
      pages.push_back("/page/" + std::to_string(i));
    for (int i = 0; i < 20; ++i)
      countries.push_back("country-" + std::to_string(i));
    for (auto d : {"desktop", "mobile", "tablet", "tv"})
      devices.emplace_back(d);
    for (int i = 0; i < 100'000; ++i)
      users.push_back("user-" + std::to_string(i));
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(4, 1);
    events.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      event e{};
      e.partition = static_cast<int32_t>(i % 4);
      // 10,000 events per second of event time, up to 500 ms out of order.
      e.time = 1'700'000'000'000 + static_cast<int64_t>(i / 10) - static_cast<int64_t>(rng() % 500);
      e.proc = static_cast<int64_t>(i / 100); // read at 100,000 events per second
      e.page = static_cast<uint16_t>(rng() % pages.size());
      e.country = static_cast<uint16_t>(rng() % countries.size());
      e.device = static_cast<uint16_t>(rng() % devices.size());
      e.user = static_cast<uint32_t>(rng() % users.size());
      e.latency = static_cast<int64_t>(latency(rng));
      e.amount = static_cast<double>(rng() % 10'000) / 100.0;
      events.push_back(e);
    }
  }
};

aggregation_spec agg(std::string out, agg_kind k, std::string field) {
  aggregation_spec a;
  a.output = std::move(out);
  a.kind = k;
  a.field = std::move(field);
  return a;
}

int64_t early_ms = 1'000;

metric_spec make_metric(const std::string& name, window_spec w, bool sketches) {
  metric_spec m;
  m.name = name;
  m.stream = "page_view";
  m.group_by = {"page", "country", "device"};
  m.event_time_field = "ts";
  m.window = w;
  m.allowed_lateness_ms = 5'000;
  m.out_of_orderness_ms = 1'000;
  m.idle_timeout_ms = 30'000;
  m.emit.early_every_ms = early_ms;
  m.aggregations = {agg("views", agg_kind::count, ""), agg("revenue", agg_kind::sum, "amount"),
                    agg("latency_avg", agg_kind::avg, "latency"), agg("latency_max", agg_kind::max, "latency")};
  if (sketches) {
    m.aggregations.push_back(agg("users", agg_kind::count_distinct, "user"));
    m.aggregations.push_back(agg("latency_q", agg_kind::quantiles, "latency"));
  }
  return m;
}

std::unique_ptr<window_operator> make_operator(const metric_spec& spec) {
  auto op = window_operator::create(spec);
  if (!op.ok()) {
    std::fprintf(stderr, "bad spec: %s\n", op.err().describe().c_str());
    std::exit(1);
  }
  std::vector<partition_id> parts{partition_id{0}, partition_id{1}, partition_id{2}, partition_id{3}};
  output_batch out;
  (*op)->assign(parts, 0, out);
  return std::move(op.value());
}

struct run_result {
  double cpu_s = 0, wall_s = 0;
  size_t emissions = 0, late = 0, open_windows = 0;
};

run_result run(const workload& w, std::vector<window_operator*> ops) {
  run_result r;
  output_batch out;
  std::vector<field_value> values(3);
  std::string_view dims[3];
  double c0 = thread_cpu_s(), w0 = wall_s();
  for (const auto& e : w.events) {
    dims[0] = w.pages[e.page];
    dims[1] = w.countries[e.country];
    dims[2] = w.devices[e.device];
    for (auto* op : ops) {
      // input_fields(): amount, latency, user (sketch metrics) — by name, once per operator
      const auto& fields = op->input_fields();
      for (size_t i = 0; i < fields.size(); ++i) {
        const auto& f = fields[i];
        values[i] = f == "amount" ? field_value{e.amount}
                    : f == "latency" ? field_value{e.latency}
                                     : field_value{std::string_view(w.users[e.user])};
      }
      auto st = op->on_event({partition_id{e.partition}, e.time, dims, std::span(values.data(), fields.size()), e.proc},
                             out);
      if (!st.ok())
        std::exit(1);
    }
    if (out.emissions.size() > 4096) { // the service would hand these to its producer
      r.emissions += out.emissions.size();
      r.late += out.late.size();
      out.clear();
    }
  }
  r.cpu_s = thread_cpu_s() - c0;
  r.wall_s = wall_s() - w0;
  r.emissions += out.emissions.size();
  r.late += out.late.size();
  for (auto* op : ops)
    r.open_windows += op->open_windows();
  return r;
}

} // namespace

int main(int argc, char** argv) {
  size_t n = 2'000'000;
  std::string only;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--events") == 0)
      n = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--only") == 0)
      only = argv[i + 1];
    if (std::strcmp(argv[i], "--early-ms") == 0)
      early_ms = std::strtoll(argv[i + 1], nullptr, 10);
  }
  auto wanted = [&](const std::string& label) { return only.empty() || label.find(only) != std::string::npos; };
  workload w(n);
  const window_spec minute{window_kind::tumbling, 60'000};
  const window_spec hopping{window_kind::hopping, 10'000, 2'000};

  std::printf("freshet-window-bench: %zu events, 3 dims (50 x 20 x 4 values), 4 partitions, 10k events/s of event time\n",
              n);
  std::printf("aggregations: count, sum, avg, max  [+ sketches: count_distinct (HLL p=12), quantiles (DDSketch 1%%)]\n");
  std::printf("early results every %lld ms of processing time (events are read at 100,000/s)\n\n",
              static_cast<long long>(early_ms));
  std::printf("%-44s %14s %14s %10s %9s\n", "metric set", "events/s/core", "wall events/s", "emissions", "windows");
  for (bool sketches : {false, true}) {
    auto m1 = make_metric("views_1m", minute, sketches);
    auto m2 = make_metric("views_10s", hopping, sketches);
    struct row {
      const char* name;
      std::vector<const metric_spec*> specs;
    } rows[] = {{"1-min tumbling", {&m1}}, {"10-s hopping (2-s hop)", {&m2}}, {"both (per event through both)", {&m1, &m2}}};
    for (const auto& r : rows) {
      if (!wanted(std::string(r.name) + (sketches ? " + sketches" : "")))
        continue;
      std::vector<std::unique_ptr<window_operator>> owned;
      std::vector<window_operator*> ops;
      for (const auto* s : r.specs) {
        owned.push_back(make_operator(*s));
        ops.push_back(owned.back().get());
      }
      auto res = run(w, ops);
      std::string label = std::string(r.name) + (sketches ? " + sketches" : "");
      std::printf("%-44s %14.0f %14.0f %10zu %9zu\n", label.c_str(), static_cast<double>(n) / res.cpu_s,
                  static_cast<double>(n) / res.wall_s, res.emissions, res.open_windows);
    }
  }

  // Snapshot / restore of a large state: a 1-hour tumbling window holds every group open.
  if (wanted("snapshot") || wanted("snapshot + sketches"))
    std::printf("\n%-44s %10s %10s %12s %12s\n", "state (snapshot / restore)", "windows", "MB", "snapshot MB/s",
                "restore MB/s");
  for (bool sketches : {false, true}) {
    if (!wanted(std::string("snapshot") + (sketches ? " + sketches" : "")))
      continue;
    auto spec = make_metric("views_1h", {window_kind::tumbling, 3'600'000}, sketches);
    auto op = make_operator(spec);
    run(w, {op.get()});
    std::string bytes;
    const int reps = 5;
    double c0 = thread_cpu_s();
    for (int i = 0; i < reps; ++i)
      bytes = op->snapshot();
    double snap_s = (thread_cpu_s() - c0) / reps;
    auto copy = make_operator(spec);
    c0 = thread_cpu_s();
    for (int i = 0; i < reps; ++i)
      if (!copy->restore(bytes).ok())
        return 1;
    double restore_s = (thread_cpu_s() - c0) / reps;
    double mb = static_cast<double>(bytes.size()) / 1e6;
    std::string label = std::string("1-h tumbling, 3 dims") + (sketches ? " + sketches" : "");
    std::printf("%-44s %10zu %10.2f %12.0f %12.0f\n", label.c_str(), op->open_windows(), mb, mb / snap_s,
                mb / restore_s);
  }
  return 0;
}
