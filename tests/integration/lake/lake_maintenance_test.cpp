// OPTIMIZE / Z-order / VACUUM beside the live freshet-compaction sink, against a real broker: the
// service's own maintenance rounds and freshet-admin runs race the sink's streaming commits while
// events flow. Then: delta-rs (and DuckDB) read every event exactly once, the sink never failed a
// commit, and a version older than the maintenance commits still reads whole within the retention.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "common/base/clock.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "common/lake/table.hpp"
#include "tests/support/files.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace {

namespace fs = freshet::testing;
namespace lake = freshet::lake;
using namespace std::chrono_literals;

std::string venv_python() {
  if (const char* p = std::getenv("FRESHET_PYTHON_READERS"))
    return p;
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "/root";
  std::string cache = std::getenv("FRESHET_CACHE") ? std::getenv("FRESHET_CACHE") : home + "/.cache/freshet";
  return cache + "/venv/bin/python";
}

/// Runs a command line; its exit code and output (stdout and stderr).
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p)
    return {-1, "popen failed"};
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::pair<int, std::string> lake_check(const std::string& command, const std::string& table, const nlohmann::json& expected,
                                       const std::string& scratch) {
  auto path = fs::write_file(scratch, expected.dump());
  return run("'" + venv_python() + "' '" FRESHET_SOURCE_DIR "/tests/integration/lake/lake_check.py' " + command + " '" +
             table + "' '" + path + "'");
}

int64_t committed_rows(const std::string& root) {
  auto t = lake::table::open(root);
  return t ? (*t)->latest().summary().records : -1;
}

class lake_maintenance_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(venv_python()))
      GTEST_SKIP() << "no Python venv at " << venv_python() << " (run scripts/install-deps)";
  }
};

TEST_F(lake_maintenance_test, optimize_zorder_and_vacuum_beside_the_live_sink_lose_and_duplicate_nothing) {
  auto topics = fs::make_topics("lake-maint", {"enriched", "dlq"}, 4);
  const auto dir = fs::stack::work_dir() + "/lake-maint";
  const auto lake_dir = dir + "/lake";
  const std::string schemas = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas/";
  const auto spec = fs::write_file(dir + "/pipeline.yaml", R"(pipeline: lake-maintenance-test
topics:
  - {role: raw, name: unused.raw}
  - {role: dlq, name: )" + topics[1] + R"(}
  - {role: valid, name: unused.valid}
  - {role: quarantine, name: unused.quarantine}
  - {role: enriched, name: )" + topics[0] + R"(}
  - {role: late, name: unused.late}
  - {role: rollups, name: unused.rollups}
  - {role: schemas, name: unused.schemas}
streams:
  - {name: page_view, schema: )" + schemas + R"(page_view.avsc, key: user_id, event_time: ts}
  - {name: purchase, schema: )" + schemas + R"(purchase.avsc, key: user_id, event_time: ts}
tables:
  events:
    - {stream: page_view, zorder_by: [user_id, url]}
    - {stream: purchase, name: purchases}
  rollups: false
)");
  const auto pv = lake_dir + "/page_view", pu = lake_dir + "/purchases";
  const int64_t retention_ms = 25'000;
  auto ports = fs::free_ports(2);
  std::vector<std::string> args{"--pipeline.spec=" + spec,
                                "--kafka.bootstrap=" + fs::stack::bootstrap(),
                                "--grpc.listen=127.0.0.1:" + std::to_string(ports[0]),
                                "--metrics.listen=127.0.0.1:" + std::to_string(ports[1]),
                                "--lake.dir=" + lake_dir,
                                "--kafka.group=" + topics[0] + ".lake",
                                "--service.instance=maint-1",
                                "--lake.roll_ms=250",
                                "--lake.max_batch=300",
                                "--maintenance.interval_ms=1500",
                                "--maintenance.min_files=3",
                                "--maintenance.target_file_bytes=4000000",
                                "--maintenance.vacuum_retention_ms=" + std::to_string(retention_ms),
                                "--maintenance.vacuum_force=true"};
  fs::child_process writer{fs::binary_path("freshet-compaction"), args, dir + "/compaction.log"};
  const int metrics = ports[1];
  ASSERT_TRUE(fs::eventually([&] { return committed_rows(pv) >= 0 && committed_rows(pu) >= 0; }, 60s))
    << "the service creates its tables at start\n" << fs::read_file(writer.log_file());

  // ~12 s of events over three days of event time: page views, every fifth a purchase.
  const int n = 9000;
  std::vector<std::string> want_pv, want_pu;
  std::atomic<int> failed{0};
  std::thread publisher{[&] {
    auto p = freshet::kafka::producer::create(freshet::kafka::producer_config(fs::stack::bootstrap(), "lake-maint"));
    if (!p) {
      failed = n;
      return;
    }
    const int64_t base_ts = 1'714'521'600'000;
    const auto start = freshet::mono_ns();
    for (int i = 0; i < n; ++i) {
      while (freshet::mono_ns() < start + static_cast<int64_t>(i) * 1'333'333)
        std::this_thread::sleep_for(200us);
      const int64_t ts = base_ts + static_cast<int64_t>(i) * (3LL * 86'400'000 / n);
      const auto user = "u" + std::to_string(i % 60);
      const bool purchase = i % 5 == 0;
      nlohmann::json v = purchase ? nlohmann::json{{"user_id", user}, {"ts", ts}, {"order_id", "o-" + std::to_string(i)},
                                                   {"amount", i % 1000 + 0.25}, {"currency", "EUR"}, {"items", 1 + i % 3}}
                                  : nlohmann::json{{"user_id", user}, {"ts", ts}, {"url", "/p/" + std::to_string(i % 300)},
                                                   {"user_agent", "test-agent"}, {"ip", "10.0.0." + std::to_string(i % 200)}};
      freshet::kafka::outgoing_record rec{topics[0], -1, user, v.dump(),
                                          {{freshet::kafka::headers::stream, purchase ? "purchase" : "page_view"},
                                           {freshet::kafka::headers::event_id, "ev-" + std::to_string(i)},
                                           {freshet::kafka::headers::ingest_ts, std::to_string(ts + 5)}},
                                          0};
      while (!(*p)->produce(rec, [&](const freshet::kafka::delivery_report& r) { failed += r.ok ? 0 : 1; }).ok())
        (void) (*p)->flush(100);
    }
    (void) (*p)->flush(60000);
  }};
  for (int i = 0; i < n; ++i)
    (i % 5 == 0 ? want_pu : want_pv).push_back("ev-" + std::to_string(i));

  // Meanwhile freshet-admin races the sink and the service's own maintenance on the same tables.
  const auto admin = fs::binary_path("freshet-admin");
  int admin_runs = 0, admin_ok = 0;
  auto admin_round = [&] {
    for (const auto& cmd : {admin + " optimize --table=" + pu + " --min-files=2",
                            admin + " zorder --table=" + pv + " --columns=user_id,url --min-files=2",
                            admin + " vacuum --table=" + pv + " --retention-ms=" + std::to_string(retention_ms) + " --force"}) {
      auto [code, out] = run(cmd);
      ++admin_runs;
      // A conflict with the service's maintenance (both removing the same files) is a fair outcome.
      EXPECT_TRUE(code == 0 || (code == 1 && out.find("conflict") != std::string::npos)) << cmd << "\n" << out;
      admin_ok += code == 0;
    }
  };
  const auto flow_end = std::chrono::steady_clock::now() + 12s;
  while (std::chrono::steady_clock::now() < flow_end) {
    admin_round();
    std::this_thread::sleep_for(1s);
  }
  publisher.join();
  ASSERT_EQ(failed.load(), 0);
  ASSERT_TRUE(fs::eventually([&] {
    return committed_rows(pv) == static_cast<int64_t>(want_pv.size()) &&
           committed_rows(pu) == static_cast<int64_t>(want_pu.size());
  }, 120s)) << "page_view " << committed_rows(pv) << "/" << want_pv.size() << ", purchases " << committed_rows(pu)
            << "/" << want_pu.size() << "\n" << fs::read_file(writer.log_file());
  EXPECT_GE(admin_ok, admin_runs / 2) << "most freshet-admin runs succeed";

  // A version from now, then more maintenance commits on top of it: it must still read whole.
  const int64_t old_pv = lake::table::open(pv).value()->latest().version();
  auto [zcode, zout] = run(admin + " zorder --table=" + pv + " --columns=ts --min-files=1");
  ASSERT_EQ(zcode, 0) << zout;
  ASSERT_GT(lake::table::open(pv).value()->latest().version(), old_pv);
  const double vacuum_runs = fs::scrape_metric(metrics, "freshet_lake_maintenance_runs_total");
  ASSERT_TRUE(fs::eventually([&] { return fs::scrape_metric(metrics, "freshet_lake_maintenance_runs_total") >= vacuum_runs + 12; }, 30s))
    << "two maintenance rounds (vacuum included) after the rewrite";
  auto [vcode, vout] = run(admin + " vacuum --table=" + pv + " --retention-ms=" + std::to_string(retention_ms) + " --force");
  EXPECT_EQ(vcode, 0) << vout;
  auto [ocode, oout] = lake_check("check-maintained", pv,
                                  {{"event_ids", want_pv}, {"versions", {{std::to_string(old_pv), want_pv.size()}}}},
                                  dir + "/expected-old.json");
  EXPECT_EQ(ocode, 0) << "within the retention, version " << old_pv << " reads whole:\n" << oout;

  // Past the retention VACUUM deletes what OPTIMIZE replaced.
  ASSERT_TRUE(fs::eventually([&] { return fs::scrape_metric(metrics, "freshet_lake_maintenance_files_vacuumed_total") > 0; },
                             std::chrono::milliseconds(retention_ms + 30'000)))
    << fs::read_file(writer.log_file());
  EXPECT_GT(fs::scrape_metric(metrics, "freshet_lake_maintenance_files_compacted_total"), 0);
  EXPECT_GT(fs::scrape_metric(metrics, "freshet_lake_maintenance_bytes_rewritten_total"), 0);
  EXPECT_EQ(fs::scrape_metric(metrics, "freshet_lake_commit_failures_total"), 0) << "no streaming commit failed";
  EXPECT_EQ(fs::scrape_metric(metrics, "freshet_lake_resyncs_total"), 0);

  std::printf("maintenance: %.0f files compacted, %.0f bytes rewritten, %.0f files vacuumed, %.0f job failures; "
              "freshet-admin: %d of %d runs committed or had nothing to do\n",
              fs::scrape_metric(metrics, "freshet_lake_maintenance_files_compacted_total"),
              fs::scrape_metric(metrics, "freshet_lake_maintenance_bytes_rewritten_total"),
              fs::scrape_metric(metrics, "freshet_lake_maintenance_files_vacuumed_total"),
              fs::scrape_metric(metrics, "freshet_lake_maintenance_failures_total"), admin_ok, admin_runs);
  writer.signal(SIGTERM);
  auto code = writer.wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << fs::read_file(writer.log_file());
  EXPECT_EQ(committed_rows(pv), static_cast<int64_t>(want_pv.size()));
  EXPECT_EQ(committed_rows(pu), static_cast<int64_t>(want_pu.size()));
  for (const auto& [table, ids] : {std::pair{pv, want_pv}, std::pair{pu, want_pu}}) {
    auto [c, out] = lake_check("check-maintained", table, {{"event_ids", ids}}, dir + "/expected-final.json");
    EXPECT_EQ(c, 0) << table << ":\n" << out;
  }
  auto latest = lake::table::open(pv).value();
  EXPECT_LT(latest->latest().files().size(), 40u) << "OPTIMIZE kept the file count down";
}

} // namespace
