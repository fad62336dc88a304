// Our Parquet writer's speed on enriched events (rows/s, MB/s, file size) with SNAPPY and ZSTD.
// Writes the same rows to <out>/source.parquet so pyarrow_bench.py can time pyarrow on them and print
// the ratios. See bench/parquet/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "common/parquet/writer.hpp"

namespace {

using namespace freshet::parquet;
using clk = std::chrono::steady_clock;

/// The enriched clickstream event as compaction would write it (events.enriched → Delta).
std::vector<field> event_fields() {
  return {
      make_field("event_id", type_kind::string, false),     make_field("event_type", type_kind::string, false),
      make_field("user_id", type_kind::string, false),      make_field("session_id", type_kind::string, false),
      make_field("event_time", type_kind::timestamp_us, false), make_field("ingest_time", type_kind::timestamp_us, false),
      make_field("page_url", type_kind::string),            make_field("referrer", type_kind::string),
      make_field("country", type_kind::string),             make_field("city", type_kind::string),
      make_field("device", type_kind::string),              make_field("browser", type_kind::string),
      make_field("price", type_kind::float64),              make_field("quantity", type_kind::int32),
      make_field("duration_ms", type_kind::int64),          make_field("latitude", type_kind::float64),
      make_field("longitude", type_kind::float64),          make_field("is_new_user", type_kind::boolean),
      make_field("schema_id", type_kind::int32, false),     make_field("kafka_partition", type_kind::int32, false),
      make_field("kafka_offset", type_kind::int64, false),
  };
}

struct event_set {
  std::vector<row> rows;
  uint64_t input_bytes = 0; ///< sum of the values' own sizes: the MB/s denominator for both writers
};

event_set make_events(size_t n) {
  std::mt19937_64 rng{20251125};
  auto pick = [&](size_t k) { return static_cast<size_t>(rng() % k); };
  const char* types[] = {"page_view", "page_view", "page_view", "click", "click", "add_to_cart", "purchase", "search"};
  const char* countries[] = {"DE", "US", "FR", "GB", "NL", "JP", "BR", "IN", "ES", "IT"};
  const char* cities[] = {"Berlin", "New York", "Paris", "London", "Amsterdam", "Tokyo", "São Paulo", "Mumbai", "Madrid", "Rome"};
  const char* devices[] = {"desktop", "mobile", "tablet"};
  const char* browsers[] = {"chrome", "firefox", "safari", "edge"};
  const char* hex = "0123456789abcdef";
  event_set out;
  out.rows.reserve(n);
  int64_t t = 1'764'000'000'000'000;
  auto bytes = [&](std::string s) {
    out.input_bytes += s.size();
    return value::bytes(std::move(s));
  };
  auto i64 = [&](int64_t v) {
    out.input_bytes += 8;
    return value::int64(v);
  };
  auto i32 = [&](int32_t v) {
    out.input_bytes += 4;
    return value::int32(v);
  };
  auto f64 = [&](double v) {
    out.input_bytes += 8;
    return value::float64(v);
  };
  for (size_t i = 0; i < n; ++i) {
    std::string id(36, '-');
    for (size_t k = 0; k < id.size(); ++k)
      if (k != 8 && k != 13 && k != 18 && k != 23)
        id[k] = hex[pick(16)];
    t += static_cast<int64_t>(pick(2000));
    const std::string type = types[pick(std::size(types))];
    const size_t country = pick(std::size(countries));
    const bool purchase = type == "purchase";
    row r;
    r.push_back(bytes(id));
    r.push_back(bytes(type));
    r.push_back(bytes("u-" + std::to_string(pick(50'000))));
    r.push_back(bytes("s-" + std::to_string(i / 20) + "-" + std::to_string(pick(4))));
    r.push_back(i64(t - static_cast<int64_t>(pick(5'000'000))));
    r.push_back(i64(t));
    r.push_back(bytes("https://shop.example.com/p/" + std::to_string(pick(5000))));
    r.push_back(pick(3) == 0 ? value{} : bytes(std::string("https://") + (pick(2) ? "www.google.com/" : "news.example.org/a/") +
                                                std::to_string(pick(300))));
    r.push_back(bytes(countries[country]));
    r.push_back(pick(10) == 0 ? value{} : bytes(cities[country]));
    r.push_back(bytes(devices[pick(std::size(devices))]));
    r.push_back(bytes(browsers[pick(std::size(browsers))]));
    r.push_back(purchase ? f64(static_cast<double>(pick(100'000)) / 100.0) : value{});
    r.push_back(purchase ? i32(1 + static_cast<int32_t>(pick(5))) : value{});
    r.push_back(i64(static_cast<int64_t>(pick(120'000))));
    r.push_back(pick(5) == 0 ? value{} : f64(-90.0 + static_cast<double>(rng() % 18'000'000) / 100'000.0));
    r.push_back(r.back().is_null() ? value{} : f64(-180.0 + static_cast<double>(rng() % 36'000'000) / 100'000.0));
    out.input_bytes += 1;
    r.push_back(value::boolean(pick(10) == 0));
    r.push_back(i32(7));
    r.push_back(i32(static_cast<int32_t>(i % 6)));
    r.push_back(i64(static_cast<int64_t>(i / 6)));
    out.rows.push_back(std::move(r));
  }
  return out;
}

/// CPU seconds of this process: the box is shared, and CPU time is what the writer costs whatever
/// else runs (wall time is reported too).
double cpu_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct timing {
  double seconds = 0; ///< CPU
  double wall = 0;
  size_t bytes = 0;
};

timing write_once(const event_set& ev, compression_codec codec, std::string* keep) {
  memory_output out;
  writer_options o;
  o.codec = codec;
  const auto start = clk::now();
  const double cpu_start = cpu_now();
  auto w = writer::open(out, *schema::make(event_fields()), o);
  if (!w.ok() || !(*w)->append(ev.rows).ok() || !(*w)->close().ok()) {
    std::fprintf(stderr, "parquet_bench: writing failed\n");
    std::exit(1);
  }
  const double cpu = cpu_now() - cpu_start;
  const double wall = std::chrono::duration<double>(clk::now() - start).count();
  if (keep)
    *keep = out.bytes();
  return {cpu, wall, out.bytes().size()};
}

} // namespace

int main(int argc, char** argv) {
  size_t rows = 200'000;
  int rounds = 3;
  std::filesystem::path out_dir = "/tmp/freshet-parquet-bench";
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
  const auto ev = make_events(rows);
  std::string json = "{\"rows\": " + std::to_string(rows) + ", \"input_bytes\": " + std::to_string(ev.input_bytes) +
                     ", \"rounds\": " + std::to_string(rounds) + ", \"results\": {";
  std::printf("freshet parquet writer: %zu enriched events (%.1f MB of values), median of %d rounds, per CPU-second\n", rows,
              static_cast<double>(ev.input_bytes) / 1e6, rounds);
  std::printf("%-8s %12s %10s %12s %12s\n", "codec", "rows/s", "MB/s", "file MB", "wall rows/s");
  const std::pair<const char*, compression_codec> codecs[] = {{"snappy", compression_codec::snappy}, {"zstd", compression_codec::zstd}};
  bool first = true;
  for (const auto& [name, codec] : codecs) {
    std::vector<timing> runs;
    std::string bytes;
    for (int r = 0; r < rounds; ++r)
      runs.push_back(write_once(ev, codec, r == 0 ? &bytes : nullptr));
    std::sort(runs.begin(), runs.end(), [](const timing& a, const timing& b) { return a.seconds < b.seconds; });
    const timing med = runs[runs.size() / 2];
    std::ofstream(out_dir / (std::string("ours_") + name + ".parquet"), std::ios::binary) << bytes;
    std::printf("%-8s %12.0f %10.1f %12.2f %12.0f\n", name, static_cast<double>(rows) / med.seconds,
                static_cast<double>(ev.input_bytes) / 1e6 / med.seconds, static_cast<double>(med.bytes) / 1e6,
                static_cast<double>(rows) / med.wall);
    json += std::string(first ? "" : ", ") + "\"" + name + "\": {\"seconds\": " + std::to_string(med.seconds) +
            ", \"wall_seconds\": " + std::to_string(med.wall) + ", \"bytes\": " + std::to_string(med.bytes) + "}";
    first = false;
  }
  json += "}}\n";
  std::ofstream(out_dir / "ours.json") << json;
  // The rows pyarrow will write: our own (ZSTD) file, read back by pyarrow untimed.
  std::filesystem::copy_file(out_dir / "ours_zstd.parquet", out_dir / "source.parquet",
                             std::filesystem::copy_options::overwrite_existing);
  return 0;
}
