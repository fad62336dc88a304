// freshet-admin: operator commands against a running platform.
//   freshet-admin create-topics --pipeline.spec=FILE --kafka.bootstrap=HOST:PORT
//   freshet-admin readmit --quality_gate=HOST:PORT [--stream=S] [--expectation=NAME] [--dry_run=true]
//   freshet-admin load-dim --table=NAME --file=FILE.jsonl [--key=FIELD] [--topic=TOPIC] [--delete=true]
//   freshet-admin optimize|zorder|vacuum --table=DIR [...] [--dry-run]   (lake_maintenance_commands.cpp)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <nlohmann/json.hpp>

#include "common/config/enrichment_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/config/settings.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/producer.hpp"
#include "common/log/logger.hpp"
#include "freshet/v1/quality.grpc.pb.h"
#include "services/admin/lake_commands.hpp"
#include "services/admin/lake_maintenance_commands.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: freshet-admin COMMAND [--key=value ...]\n"
               "commands:\n"
               "  create-topics   create every topic of the pipeline spec (idempotent)\n"
               "  readmit         replay quarantined events through the quality gate's current expectations\n"
               "                  into the valid topic, exactly once (--quality_gate=HOST:PORT, optional\n"
               "                  --stream=NAME, --expectation=NAME, --dry_run=true)\n"
               "  load-dim        publish a JSON-lines file to a reference table's compacted dim topic, keyed\n"
               "                  by the table's key field (--table=NAME --file=FILE, optional --key=FIELD,\n"
               "                  --topic=TOPIC for tables not in the spec, --delete=true for tombstones)\n"
               "  lake-tables, lake-history, lake-read, backfill\n"
               "                  Delta tables: list, history, rows as of a version or time, replay into a\n"
               "                  topic (services/admin/README.md)\n"
               "%s"
               "settings: --pipeline.spec, --kafka.bootstrap, --timeout_ms (also FRESHET_* variables)\n",
               freshet::admin::maintenance_commands_usage());
  return 2;
}

int create_topics(const freshet::config::settings& s) {
  auto spec = freshet::config::load_pipeline_spec(s.get("pipeline.spec"));
  if (!spec) {
    std::fprintf(stderr, "freshet-admin: %s\n", spec.err().describe().c_str());
    return 2;
  }
  auto st = freshet::kafka::create_topics(s.get("kafka.bootstrap"), spec->topics,
                                          static_cast<int>(s.get_int("timeout_ms")));
  if (!st.ok()) {
    std::fprintf(stderr, "freshet-admin: %s\n", st.err().describe().c_str());
    return 1;
  }
  for (const auto& t : spec->topics)
    std::printf("%-20s partitions=%d cleanup=%s\n", t.name.c_str(), t.partitions, t.cleanup.c_str());
  return 0;
}

int readmit(const freshet::config::settings& s) {
  auto channel = grpc::CreateChannel(s.get("quality_gate"), grpc::InsecureChannelCredentials());
  auto stub = freshet::v1::QualityGateService::NewStub(channel);
  freshet::v1::ReadmitRequest req;
  req.set_stream(s.get("stream"));
  req.set_expectation(s.get("expectation"));
  req.set_dry_run(s.get_bool("dry_run"));
  freshet::v1::ReadmitResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(s.get_int("timeout_ms")));
  auto st = stub->Readmit(&ctx, req, &resp);
  if (!st.ok()) {
    std::fprintf(stderr, "freshet-admin: readmit failed (%d): %s\n", static_cast<int>(st.error_code()),
                 st.error_message().c_str());
    return 1;
  }
  std::printf("%sscanned=%llu readmitted=%llu still_failing=%llu skipped=%llu\n", resp.dry_run() ? "dry run: " : "",
              static_cast<unsigned long long>(resp.scanned()), static_cast<unsigned long long>(resp.readmitted()),
              static_cast<unsigned long long>(resp.still_failing()), static_cast<unsigned long long>(resp.skipped()));
  for (const auto& [name, n] : resp.still_failing_by_expectation())
    std::printf("  still failing %-32s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
  return 0;
}

/// The text of a (dotted) key field of a JSON object, as the enrich service keys rows; "" if absent.
std::string key_text(const nlohmann::json& row, const std::string& path) {
  const nlohmann::json* node = &row;
  size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    auto name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(name))
      return "";
    node = &(*node)[name];
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  if (node->is_string())
    return node->get<std::string>();
  if (node->is_null() || node->is_object() || node->is_array())
    return "";
  return node->dump();
}

/// Publishes every line of a JSON-lines file to a reference table's dim topic (one record per
/// line, keyed by the key field; with --delete=true a tombstone per key instead). Every line is
/// checked before anything is sent, so a bad file publishes nothing.
int load_dim(const freshet::config::settings& s) {
  auto fail = [](const std::string& msg, int code) {
    std::fprintf(stderr, "freshet-admin load-dim: %s\n", msg.c_str());
    return code;
  };
  auto spec = freshet::config::load_pipeline_spec(s.get("pipeline.spec"));
  if (!spec)
    return fail(spec.err().describe(), 2);
  auto enrich = freshet::config::load_enrichment_spec(*spec);
  if (!enrich)
    return fail(enrich.err().describe(), 2);
  const auto& name = s.get("table");
  if (name.empty() || s.get("file").empty())
    return fail("--table and --file are required", 2);
  std::string topic = s.get("topic"), key = s.get("key");
  if (const auto* t = enrich->table(name)) {
    if (t->is_redis())
      return fail("table " + name + " lives in Redis, not in a dim topic", 2);
    topic = topic.empty() ? t->topic : topic;
    key = key.empty() ? t->key_field : key;
  } else if (key.empty()) {
    return fail("table " + name + " is not in the spec's enrichments: give --key (and --topic, default dim." + name + ")", 2);
  }
  if (topic.empty())
    topic = "dim." + name;

  std::ifstream in{s.get("file")};
  if (!in)
    return fail("cannot read " + s.get("file"), 2);
  bool tombstones = s.get_bool("delete");
  std::vector<freshet::kafka::outgoing_record> records;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object())
      return fail(s.get("file") + ":" + std::to_string(n) + ": not a JSON object", 2);
    auto k = key_text(row, key);
    if (k.empty())
      return fail(s.get("file") + ":" + std::to_string(n) + ": no key field '" + key + "'", 2);
    freshet::kafka::outgoing_record rec;
    rec.topic = topic;
    rec.key = std::move(k);
    rec.tombstone = tombstones;
    if (!tombstones)
      rec.value = row.dump();
    records.push_back(std::move(rec));
  }
  auto timeout = static_cast<int>(s.get_int("timeout_ms"));
  if (auto parts = freshet::kafka::partition_count(s.get("kafka.bootstrap"), topic, timeout); !parts)
    return fail(parts.err().describe() + " (create it with freshet-admin create-topics)", 1);
  auto producer = freshet::kafka::producer::create(freshet::kafka::producer_config(s.get("kafka.bootstrap"), "freshet-admin"));
  if (!producer)
    return fail(producer.err().describe(), 1);
  std::atomic<size_t> delivered{0}, failed{0};
  for (auto& rec : records) {
    while (true) {
      auto st = (*producer)->produce(rec, [&](const freshet::kafka::delivery_report& r) { ++(r.ok ? delivered : failed); });
      if (st.ok())
        break;
      if (!st.err().retriable)
        return fail(st.err().describe(), 1);
      (void) (*producer)->flush(100);
    }
  }
  if (auto st = (*producer)->flush(timeout); !st.ok() || failed > 0 || delivered != records.size())
    return fail("only " + std::to_string(delivered.load()) + " of " + std::to_string(records.size()) + " records were acknowledged", 1);
  std::printf("%s: published %zu %s keyed by %s\n", topic.c_str(), records.size(),
              tombstones ? "tombstones" : "rows", key.c_str());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2)
    return usage();
  std::string command = argv[1];
  if (freshet::admin::is_maintenance_command(command)) { // optimize, zorder, vacuum
    freshet::log::setup("admin", "warn", freshet::log::format::text);
    return freshet::admin::run_maintenance_command(command, argc, argv);
  }
  if (freshet::admin::is_lake_command(command)) // lake-tables, lake-history, lake-read, backfill
    return freshet::admin::run_lake_command(command, argc - 1, argv + 1);
  auto s = freshet::config::settings::load({{"pipeline.spec", "examples/clickstream/pipeline.yaml"},
                                            {"kafka.bootstrap", "127.0.0.1:9092"},
                                            {"timeout_ms", "60000"},
                                            {"quality_gate", "127.0.0.1:50061"},
                                            {"stream", ""},
                                            {"expectation", ""},
                                            {"dry_run", "false"},
                                            {"table", ""},
                                            {"file", ""},
                                            {"key", ""},
                                            {"topic", ""},
                                            {"delete", "false"},
                                            {"log.level", "warn"}},
                                           argc - 1, argv + 1);
  if (!s) {
    std::fprintf(stderr, "freshet-admin: %s\n", s.err().describe().c_str());
    return 2;
  }
  freshet::log::setup("admin", s->get("log.level"), freshet::log::format::text);
  if (command == "create-topics")
    return create_topics(*s);
  if (command == "readmit")
    return readmit(*s);
  if (command == "load-dim")
    return load_dim(*s);
  return usage();
}
