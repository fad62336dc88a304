// Data skipping before and after Z-ordering (issue 6): how many data files a selective predicate on
// two columns can skip from the files' min/max statistics alone, for the layout the streaming sink
// leaves (small files in arrival order), after OPTIMIZE (bin-packing), after sorting by one column,
// and after OPTIMIZE ZORDER BY both columns. Figures are computed, not timed: no broker, seconds of CPU.
//
//   freshet-lake-zorder-bench [--rows N] [--files N] [--queries N] [--selectivity F] [--out FILE.json]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "common/base/clock.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/optimize.hpp"
#include "common/lake/table.hpp"

namespace {

using namespace freshet::lake;
using freshet::parquet::value;
using k = data_type::kind;

struct options {
  int64_t rows = 400'000;
  int files = 200;          ///< small files the "sink" leaves
  int queries = 200;
  double selectivity = 0.1; ///< each range covers this fraction of its column's domain
  std::string out;
};

/// A range on x (long) and one on y (double).
struct query {
  int64_t x_lo, x_hi;
  double y_lo, y_hi;
};

struct skipping {
  double files_skipped = 0; ///< mean fraction of files skipped
  double rows_read = 0;     ///< mean fraction of rows in files that must be read
  size_t files = 0;
};

skipping measure(const snapshot& s, const std::vector<query>& queries) {
  skipping out;
  out.files = s.files().size();
  const double total_rows = static_cast<double>(s.summary().records);
  for (const auto& q : queries) {
    size_t skipped = 0;
    int64_t rows = 0;
    for (const auto& [path, add] : s.files()) {
      auto st = nlohmann::json::parse(add.stats.value_or("{}"));
      const auto& mn = st["minValues"];
      const auto& mx = st["maxValues"];
      const bool disjoint = mx["x"].get<int64_t>() < q.x_lo || mn["x"].get<int64_t>() > q.x_hi ||
                            mx["y"].get<double>() < q.y_lo || mn["y"].get<double>() > q.y_hi;
      if (disjoint)
        ++skipped;
      else
        rows += st["numRecords"].get<int64_t>();
    }
    out.files_skipped += static_cast<double>(skipped) / static_cast<double>(out.files);
    out.rows_read += static_cast<double>(rows) / total_rows;
  }
  out.files_skipped /= static_cast<double>(queries.size());
  out.rows_read /= static_cast<double>(queries.size());
  return out;
}

int parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--rows")
      o.rows = std::atoll(next().c_str());
    else if (a == "--files")
      o.files = std::atoi(next().c_str());
    else if (a == "--queries")
      o.queries = std::atoi(next().c_str());
    else if (a == "--selectivity")
      o.selectivity = std::atof(next().c_str());
    else if (a == "--out")
      o.out = next();
    else {
      std::fprintf(stderr, "usage: freshet-lake-zorder-bench [--rows N] [--files N] [--queries N] [--selectivity F] [--out FILE]\n");
      return 2;
    }
  }
  if (o.rows < 1000 || o.files < 4 || o.queries < 1 || o.selectivity <= 0 || o.selectivity >= 1) {
    std::fprintf(stderr, "freshet-lake-zorder-bench: --rows >= 1000, --files >= 4, 0 < --selectivity < 1\n");
    return 2;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (int rc = parse_args(argc, argv, o); rc != 0)
    return rc;
  const auto dir = std::filesystem::temp_directory_path() / ("freshet-zorder-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  table_definition def;
  def.schema = {column("id", primitive(k::long_), false), column("x", primitive(k::long_), false),
                column("y", primitive(k::double_), false), column("payload", primitive(k::string)),
                column("date", primitive(k::date))};
  def.partition_columns = {"date"};
  def.configuration = {{"delta.checkpointInterval", "1000"}};
  auto t = table::create_or_open(dir.string(), def).value();
  const auto data = without_columns(def.schema, {"date"});

  // The sink's layout: rows in arrival order (x and y independent of it), cut into small files.
  const int64_t x_domain = 1'000'000;
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<int64_t> xs{0, x_domain - 1};
  std::uniform_real_distribution<double> ys{0.0, 1000.0};
  const int64_t per_file = o.rows / o.files;
  auto tx = t->begin();
  for (int f = 0; f < o.files; ++f) {
    auto w = data_file_writer::open(t->root(), {"date"}, {{"date", "2024-05-01"}}, data).value();
    for (int64_t r = 0; r < per_file; ++r)
      (void) w->append({value::int64(f * per_file + r), value::int64(xs(rng)), value::float64(ys(rng)),
                        value::bytes("event payload " + std::to_string(r % 97))});
    tx.adds.push_back(w->close().value());
  }
  (void) t->commit(std::move(tx)).value();
  int64_t bytes = 0;
  for (const auto& [p, a] : t->latest().files())
    bytes += a.size;

  std::vector<query> queries, x_only, y_only; // x AND y; x alone; y alone
  for (int q = 0; q < o.queries; ++q) {
    const auto xw = static_cast<int64_t>(o.selectivity * static_cast<double>(x_domain));
    const double yw = o.selectivity * 1000.0;
    const int64_t x0 = std::uniform_int_distribution<int64_t>{0, x_domain - xw}(rng);
    const double y0 = std::uniform_real_distribution<double>{0.0, 1000.0 - yw}(rng);
    queries.push_back({x0, x0 + xw, y0, y0 + yw});
    x_only.push_back({x0, x0 + xw, -1e300, 1e300});
    y_only.push_back({INT64_MIN, INT64_MAX, y0, y0 + yw});
  }

  nlohmann::json report{{"rows", o.rows}, {"queries", o.queries}, {"selectivity_per_column", o.selectivity},
                        {"predicate", "x BETWEEN a AND a+w AND y BETWEEN b AND b+w"}};
  auto record = [&](const std::string& layout, const snapshot& s, double seconds) {
    auto m = measure(s, queries);
    auto mx = measure(s, x_only);
    auto my = measure(s, y_only);
    report["layouts"][layout] = {{"files", m.files},
                                 {"files_skipped", m.files_skipped},
                                 {"rows_read", m.rows_read},
                                 {"files_skipped_x_only", mx.files_skipped},
                                 {"files_skipped_y_only", my.files_skipped},
                                 {"rewrite_seconds", seconds}};
    std::printf("%-24s %4zu files  x AND y: skipped %5.1f%% (rows read %5.1f%%)  x: %5.1f%%  y: %5.1f%%  rewrite %.2f s\n",
                layout.c_str(), m.files, 100 * m.files_skipped, 100 * m.rows_read, 100 * mx.files_skipped,
                100 * my.files_skipped, seconds);
  };
  std::printf("%lld rows, %d queries on two columns (each range %.0f%% of its domain)\n",
              static_cast<long long>(o.rows), o.queries, 100 * o.selectivity);
  record("sink (arrival order)", t->latest(), 0);

  optimize_options opt;
  opt.min_files = 1;
  auto rewrite = [&](const std::string& layout, std::vector<std::string> zorder_by) {
    opt.zorder_by = std::move(zorder_by);
    const auto start = freshet::mono_ns();
    auto r = optimize(*t, opt);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: %s\n", layout.c_str(), r.err().describe().c_str());
      std::exit(1);
    }
    record(layout, t->latest(), static_cast<double>(freshet::mono_ns() - start) / 1e9);
  };
  opt.target_file_bytes = bytes; // bin-packing: one bin holds it all
  rewrite("OPTIMIZE (bin-packing)", {});
  // Then files of about a sixteenth of the compacted table each, in each layout in turn.
  opt.target_file_bytes = std::max<int64_t>(t->latest().summary().bytes / 16, 1);
  rewrite("sorted by x", {"x"});
  rewrite("ZORDER BY (x, y)", {"x", "y"});

  std::filesystem::remove_all(dir);
  if (!o.out.empty()) {
    std::filesystem::create_directories(std::filesystem::path{o.out}.parent_path());
    std::ofstream{o.out} << report.dump(2) << "\n";
  }
  return 0;
}
