// Two freshet-registry replicas on one `_schemas` topic, registering concurrently: never the same id
// for two schemas, never two schemas under one subject version, identical schemas share an id,
// and both replicas (and the topic itself) end up telling the same story.
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "tests/integration/registry/registry_process.hpp"
#include "tests/support/stack.hpp"
#include "tests/support/topic_io.hpp"

namespace freshet::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

json schema_n(int n) {
  return {{"type", "record"}, {"name", "S"}, {"fields", json::array({{{"name", "f" + std::to_string(n)}, {"type", "long"}}})}};
}

TEST(registry_replicas, concurrent_writers_never_hand_out_an_id_twice_and_converge) {
  const std::string topic = "_schemas.replicas";
  auto spec = registry_spec(topic);
  registry_process a{"replica-a", spec};
  registry_process b{"replica-b", spec};
  ASSERT_EQ(a.call("PUT", "/config", R"({"compatibility":"NONE"})").status, 200);
  ASSERT_TRUE(eventually([&] { return b.call("GET", "/config").json()["compatibilityLevel"] == "NONE"; }, 10s));

  // Each client thread registers, through its own replica: schemas only it has, into a subject
  // both write ("shared") and one of its own; and schemas both threads register (the same n) into
  // their own subjects, which must end up with one id.
  constexpr int per_thread = 30;
  struct outcome {
    std::string subject;
    int n = 0;
    int id = 0;
  };
  std::mutex mu;
  std::vector<outcome> outcomes;
  std::vector<std::string> failures;
  auto client = [&](const registry_process& r, int base, const std::string& own) {
    for (int i = 0; i < per_thread; ++i) {
      std::vector<std::pair<std::string, int>> jobs{{"shared", base + i}, {own, 1000 + i}};
      for (const auto& [subject, n] : jobs) {
        http_reply last;
        int id = r.reg(subject, schema_n(n), &last);
        std::lock_guard lock{mu};
        if (id < 0)
          failures.push_back(subject + " #" + std::to_string(n) + ": " + std::to_string(last.status) + " " + last.body);
        else
          outcomes.push_back({subject, n, id});
      }
    }
  };
  std::thread ta{client, std::cref(a), 0, "own-a"};
  std::thread tb{client, std::cref(b), 100, "own-b"};
  ta.join();
  tb.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  ASSERT_EQ(outcomes.size(), 4u * per_thread);

  // One id per schema, one schema per id.
  std::map<int, int> id_of_n;
  std::map<int, int> n_of_id;
  for (const auto& o : outcomes) {
    auto [it, fresh] = id_of_n.emplace(o.n, o.id);
    EXPECT_EQ(it->second, o.id) << "schema #" << o.n << " got two ids";
    auto [jt, fresh_id] = n_of_id.emplace(o.id, o.n);
    EXPECT_EQ(jt->second, o.n) << "id " << o.id << " handed out for two schemas";
  }
  EXPECT_EQ(id_of_n.size(), 2u * per_thread + per_thread) << "30 + 30 shared-subject schemas, 30 schemas in both own subjects";

  // The views converge, and say what the clients were told.
  json dump_a, dump_b;
  ASSERT_TRUE(eventually([&] {
    dump_a = dump_registry(a);
    dump_b = dump_registry(b);
    return dump_a == dump_b;
  }, 30s)) << "replica views differ:\n" << dump_a.dump() << "\n" << dump_b.dump();
  auto shared = dump_a["by_subject"]["shared"];
  EXPECT_EQ(shared["versions"].size(), 2u * per_thread) << "every shared schema is exactly one version";
  std::set<int> shared_ids;
  for (const auto& [v, one] : shared["version"].items())
    shared_ids.insert(one["id"].get<int>());
  EXPECT_EQ(shared_ids.size(), 2u * per_thread) << "no two versions of one subject share a schema";
  for (const auto& o : outcomes)
    EXPECT_EQ(dump_a["ids"][std::to_string(o.id)]["schema"], schema_n(o.n).dump()) << "id " << o.id;

  // The topic itself, read independently: no subject version with two ids, no id with two schemas.
  auto values = read_committed_values(topic, 4 * per_thread, 3s, 60s);
  std::map<std::pair<std::string, int>, int> version_ids;
  std::map<int, std::string> id_schemas;
  for (const auto& [value, count] : values) {
    auto v = json::parse(value, nullptr, false);
    if (!v.is_object() || !v.contains("id"))
      continue; // NOOPs and config
    auto key = std::make_pair(v["subject"].get<std::string>(), v["version"].get<int>());
    auto [it, fresh] = version_ids.emplace(key, v["id"].get<int>());
    EXPECT_EQ(it->second, v["id"].get<int>()) << key.first << " v" << key.second << " written with two ids";
    auto [jt, fresh_id] = id_schemas.emplace(v["id"].get<int>(), v["schema"].get<std::string>());
    EXPECT_EQ(jt->second, v["schema"].get<std::string>()) << "id " << v["id"] << " written for two schemas";
  }
  EXPECT_EQ(version_ids.size(), 4u * per_thread);
  EXPECT_EQ(scrape_metric(a.metrics_port(), "freshet_registry_view_conflicts"), 0);
  EXPECT_EQ(scrape_metric(b.metrics_port(), "freshet_registry_view_conflicts"), 0);
  std::cout << "writer role taken " << scrape_metric(a.metrics_port(), "freshet_registry_writer_acquired_total")
            << " + " << scrape_metric(b.metrics_port(), "freshet_registry_writer_acquired_total") << " times, fenced "
            << scrape_metric(a.metrics_port(), "freshet_registry_writer_fenced_total") << " + "
            << scrape_metric(b.metrics_port(), "freshet_registry_writer_fenced_total") << " times\n";

  // A replica that stops does not stop the other from writing (it takes the writer role).
  EXPECT_EQ(a.stop(), 0);
  EXPECT_GT(b.reg("after", schema_n(5000)), 0);
  EXPECT_EQ(b.stop(), 0);
}

TEST(registry_replicas, a_transaction_left_open_by_a_dead_writer_is_aborted_when_a_replica_starts) {
  const std::string topic = "_schemas.zombie";
  auto spec = registry_spec(topic);
  registry_process r{"zombie-survivor", spec};
  ASSERT_EQ(r.reg("kept", schema_n(1)), 1);
  ASSERT_EQ(r.stop(), 0);

  // A writer with the registry's transactional id appends a record and dies before committing;
  // its transaction would hold read_committed readers back for ten minutes.
  auto zombie = kafka::producer::create(kafka::merged(kafka::producer_config(stack::bootstrap(), "zombie"),
                                                      {{"transactional.id", "freshet-registry." + topic},
                                                       {"transaction.timeout.ms", "600000"}}));
  ASSERT_TRUE(zombie.ok());
  ASSERT_TRUE((*zombie)->init_transactions(30000).ok());
  ASSERT_TRUE((*zombie)->begin_transaction().ok());
  kafka::outgoing_record rec;
  rec.topic = topic;
  rec.partition = 0;
  rec.key = R"({"keytype":"SCHEMA","subject":"zombie","version":1,"magic":1})";
  rec.value = json{{"subject", "zombie"}, {"version", 1}, {"id", 99}, {"schema", "\"int\""}, {"deleted", false}}.dump();
  ASSERT_TRUE((*zombie)->produce(rec, [](const kafka::delivery_report&) {}).ok());
  ASSERT_TRUE((*zombie)->flush(10000).ok());
  (*zombie)->discard();
  zombie->reset();

  auto started = std::chrono::steady_clock::now();
  r.start();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 60s);
  EXPECT_EQ(r.call("GET", "/subjects").json(), json::array({"kept"})) << "the uncommitted record never shows";
  EXPECT_EQ(r.reg("next", schema_n(2)), 2);
  EXPECT_EQ(r.stop(), 0);
}

} // namespace
} // namespace freshet::testing
