// common/schema's registry_client and cached_registry against registry_stub (the Confluent REST contract).
#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/base/clock.hpp"
#include "common/schema/cached_registry.hpp"
#include "common/schema/errc.hpp"
#include "common/schema/registry_client.hpp"
#include "tests/support/stack.hpp"
#include "tests/unit/schema/registry_stub.hpp"

namespace {

using namespace freshet;
using schema::errc;

const std::string rec_a = R"({"type":"record","name":"A","fields":[{"name":"x","type":"long"}]})";
const std::string rec_a2 =
  R"({"type":"record","name":"A","fields":[{"name":"x","type":"long"},{"name":"y","type":"string","default":"d"}]})";
const std::string rec_a_breaking = R"({"type":"record","name":"A","fields":[{"name":"z","type":"int"}]})";
const std::string rec_b = R"({"type":"record","name":"B","fields":[{"name":"s","type":"string"}]})";

TEST(registry_client, registers_idempotently_and_reads_back) {
  freshet::testing::registry_stub stub;
  schema::registry_client c{{stub.url() + "/"}}; // a trailing slash is tolerated
  auto id = c.register_schema("orders-value", rec_a);
  ASSERT_TRUE(id.ok()) << id.err().message;
  auto again = c.register_schema("orders-value", rec_a);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id);
  auto text = c.schema_text(*id);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, rec_a);

  auto latest = c.latest("orders-value");
  ASSERT_TRUE(latest.ok()) << latest.err().message;
  EXPECT_EQ(latest->id, *id);
  EXPECT_EQ(latest->version, 1);
  EXPECT_EQ(latest->subject, "orders-value");
  EXPECT_EQ(latest->text, rec_a);

  auto found = c.lookup("orders-value", rec_a);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, *id);
  EXPECT_EQ(found->version, 1);
}

TEST(registry_client, a_new_compatible_version_gets_a_new_id_and_becomes_latest) {
  freshet::testing::registry_stub stub;
  schema::registry_client c{{stub.url()}};
  auto v1 = c.register_schema("s-value", rec_a);
  auto v2 = c.register_schema("s-value", rec_a2);
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_NE(*v1, *v2);
  auto latest = c.latest("s-value");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, *v2);
  EXPECT_EQ(latest->version, 2);
  // The same schema under another subject keeps its global id.
  auto other = c.register_schema("t-value", rec_a);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, *v1);
}

TEST(registry_client, maps_the_registry_errors) {
  freshet::testing::registry_stub stub;
  schema::registry_client c{{stub.url()}};
  ASSERT_TRUE(c.register_schema("s-value", rec_a).ok());

  auto incompatible = c.register_schema("s-value", rec_a_breaking);
  ASSERT_FALSE(incompatible.ok());
  EXPECT_EQ(schema::reason_of(incompatible.err()), errc::incompatible);
  EXPECT_FALSE(incompatible.err().retriable);
  EXPECT_NE(incompatible.err().message.find("incompatible"), std::string::npos) << incompatible.err().message;

  auto invalid = c.register_schema("s-value", R"({"type":"record"})");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(schema::reason_of(invalid.err()), errc::invalid_schema);

  auto no_id = c.schema_text(schema_id{999});
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(schema::reason_of(no_id.err()), errc::schema_not_found);
  EXPECT_TRUE(schema::is_not_found(no_id.err()));

  auto no_subject = c.latest("nobody-value");
  ASSERT_FALSE(no_subject.ok());
  EXPECT_EQ(schema::reason_of(no_subject.err()), errc::subject_not_found);

  auto not_under = c.lookup("s-value", rec_b);
  ASSERT_FALSE(not_under.ok());
  EXPECT_EQ(schema::reason_of(not_under.err()), errc::schema_not_found);

  stub.fail_next(1);
  auto busy = c.latest("s-value");
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(schema::reason_of(busy.err()), errc::server_error);
  EXPECT_TRUE(busy.err().retriable);
}

TEST(registry_client, an_unreachable_registry_is_a_retriable_error) {
  auto port = freshet::testing::free_ports(1)[0];
  schema::registry_client c{{"http://127.0.0.1:" + std::to_string(port), 1000, 500}};
  auto r = c.latest("s-value");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(schema::reason_of(r.err()), errc::unreachable);
  EXPECT_TRUE(r.err().retriable);
}

TEST(registry_client, subjects_are_escaped_in_paths) {
  freshet::testing::registry_stub stub;
  schema::registry_client c{{stub.url()}};
  auto id = c.register_schema("odd subject/é-value", rec_a);
  ASSERT_TRUE(id.ok()) << id.err().message;
  auto latest = c.latest("odd subject/é-value");
  ASSERT_TRUE(latest.ok()) << latest.err().message;
  EXPECT_EQ(latest->id, *id);
}

TEST(registry_client, is_safe_to_share_between_threads) {
  freshet::testing::registry_stub stub;
  schema::registry_client c{{stub.url()}};
  std::vector<std::thread> pool;
  std::atomic<int> failures{0};
  std::vector<int> ids(8);
  for (int t = 0; t < 8; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto id = c.register_schema("shared-value", rec_a);
        if (!id.ok() || (ids[t] && ids[t] != id->value()))
          ++failures;
        else
          ids[t] = id->value();
        if (!c.schema_text(*id).ok())
          ++failures;
      }
    });
  for (auto& th : pool)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::set<int>(ids.begin(), ids.end()).size(), 1u);
}

TEST(cached_registry, keeps_ids_for_good_and_misses_for_a_while) {
  freshet::testing::registry_stub stub;
  int id = stub.add("s-value", rec_a);
  schema::cached_registry reg{{stub.url()}, {.negative_ttl_ms = 300}};
  for (int i = 0; i < 5; ++i) {
    auto s = reg.by_id(schema_id{id});
    ASSERT_TRUE(s.ok()) << s.err().message;
    EXPECT_EQ(s->root().name, "A");
  }
  EXPECT_EQ(stub.calls("by_id"), 1);
  EXPECT_EQ(reg.cached_ids(), 1u);

  for (int i = 0; i < 5; ++i) {
    auto miss = reg.by_id(schema_id{77});
    ASSERT_FALSE(miss.ok());
    EXPECT_EQ(schema::reason_of(miss.err()), errc::schema_not_found);
  }
  EXPECT_EQ(stub.calls("by_id"), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_FALSE(reg.by_id(schema_id{77}).ok());
  EXPECT_EQ(stub.calls("by_id"), 3) << "an expired miss is asked again";
}

TEST(cached_registry, knows_which_subject_an_id_belongs_to) {
  freshet::testing::registry_stub stub;
  int a = stub.add("a-value", rec_a);
  int b = stub.add("b-value", rec_b);
  schema::cached_registry reg{{stub.url()}};
  auto yes = reg.in_subject("a-value", schema_id{a});
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(*yes);
  auto no = reg.in_subject("a-value", schema_id{b});
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);
  auto unknown_subject = reg.in_subject("zzz-value", schema_id{a});
  ASSERT_TRUE(unknown_subject.ok());
  EXPECT_FALSE(*unknown_subject);
  int lookups = stub.calls("lookup");
  EXPECT_TRUE(*reg.in_subject("a-value", schema_id{a}));
  EXPECT_FALSE(*reg.in_subject("a-value", schema_id{b}));
  EXPECT_EQ(stub.calls("lookup"), lookups) << "both answers are cached";
  auto missing = reg.in_subject("a-value", schema_id{404});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(schema::reason_of(missing.err()), errc::schema_not_found);
}

TEST(cached_registry, fails_fast_for_a_moment_after_the_registry_was_unreachable) {
  auto port = freshet::testing::free_ports(1)[0];
  schema::cached_registry reg{{"http://127.0.0.1:" + std::to_string(port), 1000, 500}, {.unreachable_backoff_ms = 60000}};
  auto first = reg.by_id(schema_id{1});
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(first.err().retriable);
  auto started = freshet::mono_ns();
  auto second = reg.by_id(schema_id{2});
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.err().retriable);
  EXPECT_EQ(schema::reason_of(second.err()), errc::unreachable);
  EXPECT_NE(second.err().message.find("not asking again"), std::string::npos) << second.err().message;
  EXPECT_LT(freshet::mono_ns() - started, 50'000'000) << "no network round trip";
}

TEST(cached_registry, recovers_when_the_registry_comes_back) {
  freshet::testing::registry_stub stub;
  int id = stub.add("s-value", rec_a);
  schema::cached_registry reg{{stub.url(), 1000, 500}, {.unreachable_backoff_ms = 100}};
  stub.stop();
  EXPECT_FALSE(reg.by_id(schema_id{id}).ok());
  stub.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto s = reg.by_id(schema_id{id});
  ASSERT_TRUE(s.ok()) << s.err().message;
}

TEST(cached_registry, registering_caches_the_id_and_its_membership) {
  freshet::testing::registry_stub stub;
  schema::cached_registry reg{{stub.url()}};
  auto id = reg.register_schema("s-value", rec_a);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(reg.by_id(*id).ok());
  ASSERT_TRUE(*reg.in_subject("s-value", *id));
  EXPECT_EQ(stub.calls("by_id"), 0);
  EXPECT_EQ(stub.calls("lookup"), 0);
  auto bad = reg.register_schema("s-value", "{not a schema");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(schema::reason_of(bad.err()), errc::unparseable_schema);
}

TEST(cached_registry, concurrent_readers_agree) {
  freshet::testing::registry_stub stub;
  std::vector<int> ids;
  for (int i = 0; i < 10; ++i)
    ids.push_back(stub.add("s" + std::to_string(i) + "-value",
                           R"({"type":"record","name":"R)" + std::to_string(i) + R"(","fields":[]})"));
  schema::cached_registry reg{{stub.url()}};
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 6; ++t)
    pool.emplace_back([&] {
      for (int round = 0; round < 50; ++round)
        for (int i = 0; i < 10; ++i) {
          auto s = reg.by_id(schema_id{ids[static_cast<size_t>(i)]});
          if (!s.ok() || s->root().name != "R" + std::to_string(i))
            ++wrong;
        }
    });
  for (auto& th : pool)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(stub.calls("by_id"), 60) << "at most one fetch per id per thread";
}

} // namespace
