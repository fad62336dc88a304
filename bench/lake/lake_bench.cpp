// The lake sink's speed (bench/lake/README.md), in CPU seconds of this process, two ways:
// - end to end: enriched events through freshet-compaction's sink logic (route, decode the JSON into
//   rows, write date-partitioned Parquet data files with stats, commit to the Delta log with txns);
// - writer only: the committed rows, already in memory, written again by `data_file_writer` into
//   the same files (one per partition), statistics included, no commit.
// Leaves the table, the events as JSON lines and ours.json in --out so pyarrow_lake_bench.py can
// time pyarrow on the very same rows (writer) and the very same JSON lines (end to end).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <prometheus/registry.h>
#include <time.h>

#include "common/config/pipeline_spec.hpp"
#include "common/event/json_codec.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/data_file_rows.hpp"
#include "common/lake/table.hpp"
#include "services/compaction/lake_sink.hpp"
#include "services/compaction/routing.hpp"
#include "services/compaction/tables_spec.hpp"

namespace {

using namespace freshet;
using clk = std::chrono::steady_clock;

double cpu_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// The enriched events as they sit on the topic: JSON values with the platform's headers.
std::vector<kafka::consumed_record> make_events(size_t n, int partitions) {
  std::mt19937_64 rng{20251125};
  auto pick = [&](size_t k) { return static_cast<size_t>(rng() % k); };
  const char* types[] = {"page_view", "page_view", "page_view", "click", "click", "add_to_cart", "purchase", "search"};
  const char* countries[] = {"DE", "US", "FR", "GB", "NL", "JP", "BR", "IN", "ES", "IT"};
  const char* cities[] = {"Berlin", "New York", "Paris", "London", "Amsterdam", "Tokyo", "São Paulo", "Mumbai", "Madrid", "Rome"};
  const char* devices[] = {"desktop", "mobile", "tablet"};
  const char* browsers[] = {"chrome", "firefox", "safari", "edge"};
  const char* segments[] = {"new", "regular", "vip"};
  std::vector<kafka::consumed_record> out;
  out.reserve(n);
  int64_t t = 1'714'521'600'000; // 2024-05-01; three days of events
  const int64_t step = 3 * 86'400'000 / static_cast<int64_t>(n);
  std::vector<int64_t> offsets(static_cast<size_t>(partitions), 0);
  for (size_t i = 0; i < n; ++i) {
    t += step;
    const std::string type = types[pick(std::size(types))];
    const size_t country = pick(std::size(countries));
    nlohmann::json v{{"user_id", "u-" + std::to_string(pick(50'000))},
                     {"session_id", "s-" + std::to_string(i / 20) + "-" + std::to_string(pick(4))},
                     {"event_type", type},
                     {"ts", t - static_cast<int64_t>(pick(5'000))},
                     {"url", "https://shop.example.com/p/" + std::to_string(pick(5000))},
                     {"country", countries[country]},
                     {"device", devices[pick(std::size(devices))]},
                     {"browser", browsers[pick(std::size(browsers))]},
                     {"duration_ms", static_cast<int64_t>(pick(120'000))},
                     {"is_new_user", pick(10) == 0},
                     {"user", {{"segment", segments[pick(3)]}}}}; // an enrichment: lands in _extra
    if (pick(3) != 0)
      v["referrer"] = std::string("https://") + (pick(2) ? "www.google.com/" : "news.example.org/a/") + std::to_string(pick(300));
    if (pick(10) != 0)
      v["city"] = cities[country];
    if (type == "purchase") {
      v["price"] = static_cast<double>(pick(100'000)) / 100.0;
      v["quantity"] = 1 + static_cast<int>(pick(5));
    }
    if (pick(5) != 0)
      v["geo"] = {{"lat", -90.0 + static_cast<double>(rng() % 18'000'000) / 100'000.0},
                  {"lon", -180.0 + static_cast<double>(rng() % 36'000'000) / 100'000.0}};
    kafka::consumed_record r;
    r.topic = "events";
    r.partition = static_cast<int32_t>(i % static_cast<size_t>(partitions));
    r.offset = offsets[static_cast<size_t>(r.partition)]++;
    r.value = v.dump();
    r.headers = {{kafka::headers::stream, "bench"},
                 {kafka::headers::event_id, "e-" + std::to_string(i)},
                 {kafka::headers::ingest_ts, std::to_string(t)}};
    out.push_back(std::move(r));
  }
  return out;
}

struct timing {
  double cpu = 0, wall = 0;
  int64_t file_bytes = 0, files = 0, commits = 0;
};

timing run_once(const std::vector<kafka::consumed_record>& events, const std::string& root, const std::string& codec,
                size_t batch) {
  std::filesystem::remove_all(root);
  auto spec = config::parse_pipeline_spec(
    "pipeline: bench\ntopics:\n  - {role: raw, name: r}\n  - {role: dlq, name: d}\n  - {role: valid, name: v}\n"
    "  - {role: quarantine, name: q}\n  - {role: enriched, name: events}\n  - {role: late, name: l}\n"
    "  - {role: rollups, name: u}\n  - {role: schemas, name: s}\nstreams:\n"
    "  - {name: bench, schema: bench_event.avsc, event_time: ts}\n",
    FRESHET_SOURCE_DIR "/bench/lake");
  if (!spec) {
    std::fprintf(stderr, "lake_bench: %s\n", spec.err().describe().c_str());
    std::exit(1);
  }
  prometheus::Registry registry;
  compaction::lake_probe probe{registry};
  compaction::sink_options o;
  o.lake_dir = root;
  o.group = "bench";
  o.roll_bytes = 128ull << 20; // the service's defaults
  o.roll_ms = 60'000;
  o.parquet.codec = codec == "zstd" ? parquet::compression_codec::zstd : parquet::compression_codec::snappy;
  o.parquet.row_group_bytes = 32u << 20;
  const auto wall0 = clk::now();
  const double cpu0 = cpu_now();
  compaction::lake_sink sink{o, probe, [](const auto&, const auto&) { return status{}; }, [] { return status{}; }};
  auto tables = compaction::parse_tables_spec("{}", *spec);
  auto router = compaction::make_event_router(*spec, tables->events);
  if (!router || !sink.add_source("events", std::move(*router)).ok()) {
    std::fprintf(stderr, "lake_bench: cannot open the table\n");
    std::exit(1);
  }
  for (size_t i = 0; i < events.size(); i += batch) {
    std::span<const kafka::consumed_record> b{events.data() + i, std::min(batch, events.size() - i)};
    if (!sink.process(b, 0).ok() || !sink.commit_due(0, false).ok()) {
      std::fprintf(stderr, "lake_bench: the sink failed\n");
      std::exit(1);
    }
  }
  if (!sink.commit_due(0, true).ok()) {
    std::fprintf(stderr, "lake_bench: the final commit failed\n");
    std::exit(1);
  }
  timing t;
  t.cpu = cpu_now() - cpu0;
  t.wall = std::chrono::duration<double>(clk::now() - wall0).count();
  auto table = lake::table::open(root + "/bench").value();
  const auto summary = table->latest().summary();
  t.file_bytes = summary.bytes;
  t.files = summary.files;
  t.commits = table->latest().version();
  if (summary.records != static_cast<int64_t>(events.size())) {
    std::fprintf(stderr, "lake_bench: %lld rows committed, expected %zu\n", static_cast<long long>(summary.records),
                 events.size());
    std::exit(1);
  }
  return t;
}

/// One data file's rows as the sink committed them: the writer-only input.
struct file_rows {
  lake::add_action add;
  std::vector<parquet::row> rows;
};

struct writer_input {
  std::vector<std::string> partition_columns;
  lake::table_schema data_columns;
  std::vector<file_rows> files; // in path order, which pyarrow_lake_bench.py follows too
};

writer_input load_committed(const std::string& table_root) {
  auto table = lake::table::open(table_root).value();
  const auto& snap = table->latest();
  writer_input in;
  in.partition_columns = snap.metadata().partition_columns;
  in.data_columns = lake::without_columns(snap.schema(), in.partition_columns);
  for (const auto& [path, add] : snap.files()) {
    auto rows = lake::read_data_file_rows(table_root, add, in.data_columns);
    if (!rows) {
      std::fprintf(stderr, "lake_bench: cannot read %s: %s\n", path.c_str(), rows.err().describe().c_str());
      std::exit(1);
    }
    in.files.push_back({add, std::move(*rows)});
  }
  return in;
}

/// The writer alone: every file's rows through `data_file_writer` (open, append, close with stats).
timing write_only(const writer_input& in, const std::string& root, parquet::compression_codec codec) {
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  parquet::writer_options o;
  o.codec = codec;
  o.row_group_bytes = 32u << 20; // as the sink writes them
  timing t;
  const auto wall0 = clk::now();
  const double cpu0 = cpu_now();
  for (const auto& f : in.files) {
    auto w = lake::data_file_writer::open(root, in.partition_columns, f.add.partition, in.data_columns, o);
    if (!w) {
      std::fprintf(stderr, "lake_bench: %s\n", w.err().describe().c_str());
      std::exit(1);
    }
    for (const auto& r : f.rows)
      if (auto st = (*w)->append(r); !st.ok()) {
        std::fprintf(stderr, "lake_bench: %s\n", st.err().describe().c_str());
        std::exit(1);
      }
    auto add = (*w)->close();
    if (!add) {
      std::fprintf(stderr, "lake_bench: %s\n", add.err().describe().c_str());
      std::exit(1);
    }
    t.file_bytes += add->size;
    ++t.files;
  }
  t.cpu = cpu_now() - cpu0;
  t.wall = std::chrono::duration<double>(clk::now() - wall0).count();
  return t;
}

timing median_of(std::vector<timing> runs) {
  std::sort(runs.begin(), runs.end(), [](const timing& a, const timing& b) { return a.cpu < b.cpu; });
  return runs[runs.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  size_t rows = 300'000;
  int rounds = 3;
  size_t batch = 5000;
  std::filesystem::path out_dir = "/tmp/freshet-lake-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--rows")
      rows = std::stoul(argv[i + 1]);
    else if (a == "--rounds")
      rounds = std::stoi(argv[i + 1]);
    else if (a == "--out")
      out_dir = argv[i + 1];
  }
  std::filesystem::create_directories(out_dir);
  const auto events = make_events(rows, 6);
  uint64_t json_bytes = 0;
  {
    std::ofstream lines(out_dir / "events.jsonl", std::ios::binary); // pyarrow's end-to-end input
    for (const auto& e : events) {
      json_bytes += e.value.size();
      lines << e.value << '\n';
    }
  }
  std::printf("freshet lake sink: %zu enriched events (%.1f MB of JSON), median of %d rounds, per CPU-second\n", rows,
              static_cast<double>(json_bytes) / 1e6, rounds);
  std::printf("%-7s %-26s %12s %10s %10s %8s %12s\n", "codec", "path", "rows/s", "MB/s json", "file MB", "files",
              "wall rows/s");
  nlohmann::json report{{"rows", rows}, {"rounds", rounds}, {"json_bytes", json_bytes}, {"results", nlohmann::json::object()}};
  auto print = [&](const std::string& codec, const char* what, const timing& t) {
    std::printf("%-7s %-26s %12.0f %10.1f %10.2f %8lld %12.0f\n", codec.c_str(), what, static_cast<double>(rows) / t.cpu,
                static_cast<double>(json_bytes) / 1e6 / t.cpu, static_cast<double>(t.file_bytes) / 1e6,
                static_cast<long long>(t.files), static_cast<double>(rows) / t.wall);
  };
  for (const std::string codec : {"snappy", "zstd"}) {
    std::vector<timing> runs;
    for (int r = 0; r < rounds; ++r)
      runs.push_back(run_once(events, (out_dir / codec).string(), codec, batch));
    const auto sink = median_of(std::move(runs));
    print(codec, "sink, JSON -> Delta commit", sink);

    const auto table_root = (out_dir / codec / "bench").string();
    const auto input = load_committed(table_root);
    const auto pcodec = codec == "zstd" ? parquet::compression_codec::zstd : parquet::compression_codec::snappy;
    std::vector<timing> writes;
    for (int r = 0; r < rounds; ++r)
      writes.push_back(write_only(input, (out_dir / codec / "writer-only").string(), pcodec));
    const auto writer = median_of(std::move(writes));
    print(codec, "writer only, rows -> files", writer);

    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : input.files)
      files.push_back(f.add.path);
    report["results"][codec] = {
      {"cpu_seconds", sink.cpu},          {"wall_seconds", sink.wall},   {"file_bytes", sink.file_bytes},
      {"files", sink.files},              {"commits", sink.commits},     {"table", table_root},
      {"writer_cpu_seconds", writer.cpu}, {"writer_wall_seconds", writer.wall},
      {"writer_file_bytes", writer.file_bytes}, {"data_files", files}};
  }
  std::ofstream(out_dir / "ours.json") << report.dump(2) << "\n";
  return 0;
}
