// common/schema's stream registration (against registry_stub), the local fallback, and event_decoder.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/avro/errc.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/wire_format.hpp"
#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/cached_registry.hpp"
#include "common/schema/errc.hpp"
#include "common/schema/event_decoder.hpp"
#include "common/schema/stream_schemas.hpp"
#include "tests/support/files.hpp"
#include "tests/support/stack.hpp"
#include "tests/unit/schema/registry_stub.hpp"

namespace {

using namespace freshet;

const std::string example_spec = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml";

const std::string orders_v1 = R"({"type":"record","name":"Order","fields":[
  {"name":"user","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]})";
const std::string orders_v2 = R"({"type":"record","name":"Order","fields":[
  {"name":"user","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"coupon","type":["null","string"],"default":null}]})";
const std::string orders_breaking = R"({"type":"record","name":"Order","fields":[{"name":"n","type":"int"}]})";

/// A one-stream spec in a fresh folder, its schema file holding `avsc`.
config::pipeline_spec orders_spec(const std::string& avsc) {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("freshet-schema-test-" + std::to_string(getpid()) + "-" + std::to_string(++n));
  freshet::testing::write_file((dir / "orders.avsc").string(), avsc);
  auto spec = config::parse_pipeline_spec(R"(pipeline: t
topics:
  - {role: raw, name: r}
  - {role: dlq, name: d}
  - {role: valid, name: v}
  - {role: quarantine, name: q}
  - {role: enriched, name: e}
  - {role: late, name: l}
  - {role: rollups, name: ro}
  - {role: schemas, name: _s}
streams:
  - {name: orders, schema: orders.avsc, key: user, event_time: ts}
)",
                                          dir.string());
  EXPECT_TRUE(spec.ok()) << spec.err().message;
  return *spec;
}

TEST(stream_schemas, the_local_catalogue_has_every_example_stream_with_id_0) {
  auto spec = config::load_pipeline_spec(example_spec);
  ASSERT_TRUE(spec.ok());
  auto cat = schema::local_catalog(*spec);
  ASSERT_TRUE(cat.ok()) << cat.err().message;
  EXPECT_FALSE(cat->from_registry());
  ASSERT_EQ(cat->streams().size(), 3u);
  for (const char* name : {"page_view", "add_to_cart", "purchase"}) {
    const auto* s = cat->find(name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->id.value(), 0);
    EXPECT_EQ(s->subject, std::string{name} + "-value");
    EXPECT_EQ(s->schema.root().kind, avro::type::record);
  }
  EXPECT_EQ(cat->find("nope"), nullptr);
}

TEST(stream_schemas, a_broken_local_schema_is_an_error_naming_the_stream) {
  auto spec = orders_spec(R"({"type":"record","name":"Order","fields":[{"name":"x","type":"Nope"}]})");
  auto cat = schema::local_catalog(spec);
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(schema::reason_of(cat.err()), schema::errc::unparseable_schema);
  EXPECT_NE(cat.err().message.find("orders"), std::string::npos) << cat.err().message;
}

TEST(stream_schemas, registers_every_stream_idempotently) {
  freshet::testing::registry_stub stub;
  auto spec = config::load_pipeline_spec(example_spec);
  ASSERT_TRUE(spec.ok());
  schema::cached_registry reg{{stub.url()}};
  auto first = schema::register_streams(*spec, reg);
  ASSERT_TRUE(first.ok()) << first.err().message;
  EXPECT_TRUE(first->from_registry());
  auto second = schema::register_streams(*spec, reg);
  ASSERT_TRUE(second.ok());
  for (const auto& s : first->streams()) {
    EXPECT_GT(s.id.value(), 0);
    EXPECT_EQ(s.version, 1);
    EXPECT_EQ(second->find(s.stream)->id, s.id) << "registering again keeps the id";
  }
  EXPECT_EQ(stub.calls("register"), 6);
}

TEST(stream_schemas, a_newer_registered_version_wins_over_the_local_file) {
  freshet::testing::registry_stub stub;
  stub.add("orders-value", orders_v1);
  int v2 = stub.add("orders-value", orders_v2);
  auto spec = orders_spec(orders_v1);
  schema::cached_registry reg{{stub.url()}};
  auto cat = schema::register_streams(spec, reg);
  ASSERT_TRUE(cat.ok()) << cat.err().message;
  EXPECT_EQ(cat->find("orders")->id.value(), v2);
  EXPECT_EQ(cat->find("orders")->version, 2);
  EXPECT_GE(cat->find("orders")->schema.root().field_index("coupon"), 0);
}

TEST(stream_schemas, an_incompatible_local_schema_fails_at_once) {
  freshet::testing::registry_stub stub;
  stub.add("orders-value", orders_v1);
  auto spec = orders_spec(orders_breaking);
  schema::cached_registry reg{{stub.url()}};
  auto started = mono_ns();
  auto cat = schema::register_streams(spec, reg, {.give_up_after_ms = 30000});
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(schema::reason_of(cat.err()), schema::errc::incompatible);
  EXPECT_LT(mono_ns() - started, 5'000'000'000) << "not retried";
}

TEST(stream_schemas, retries_a_failing_registry_until_it_answers) {
  freshet::testing::registry_stub stub;
  stub.fail_next(3);
  auto spec = orders_spec(orders_v1);
  schema::cached_registry reg{{stub.url()}, {.unreachable_backoff_ms = 0}};
  auto cat = schema::register_streams(spec, reg, {.give_up_after_ms = 20000, .retry_backoff_ms = 20});
  ASSERT_TRUE(cat.ok()) << cat.err().message;
  EXPECT_EQ(cat->find("orders")->id.value(), 1);
}

TEST(stream_schemas, gives_up_on_an_unreachable_registry_after_the_deadline) {
  auto spec = orders_spec(orders_v1);
  schema::cached_registry reg{{"http://127.0.0.1:" + std::to_string(freshet::testing::free_ports(1)[0]), 500, 200},
                              {.unreachable_backoff_ms = 0}};
  auto started = mono_ns();
  auto cat = schema::register_streams(spec, reg, {.give_up_after_ms = 600, .retry_backoff_ms = 50});
  ASSERT_FALSE(cat.ok());
  EXPECT_TRUE(cat.err().retriable);
  EXPECT_LT(mono_ns() - started, 5'000'000'000);
}

TEST(stream_schemas, refresh_reads_the_latest_versions_again) {
  freshet::testing::registry_stub stub;
  auto spec = orders_spec(orders_v1);
  schema::cached_registry reg{{stub.url()}};
  auto cat = schema::register_streams(spec, reg);
  ASSERT_TRUE(cat.ok());
  int v2 = stub.add("orders-value", orders_v2);
  auto fresh = schema::refresh_latest(*cat, reg);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->find("orders")->id.value(), v2);
  EXPECT_TRUE(fresh->from_registry());
}

std::string framed(int id, const std::string& schema_text, const std::string& json) {
  auto s = avro::schema::parse(schema_text);
  avro::json_encoder enc{*s};
  std::string out;
  auto st = enc.encode_framed(schema_id{id}, json, out);
  EXPECT_TRUE(st.ok()) << st.err().message;
  return out;
}

TEST(event_decoder, decodes_by_writer_id_and_resolves_to_the_streams_latest_schema) {
  freshet::testing::registry_stub stub;
  int v1 = stub.add("orders-value", orders_v1);
  int v2 = stub.add("orders-value", orders_v2);
  auto spec = orders_spec(orders_v2);
  schema::cached_registry reg{{stub.url()}};
  auto cat = schema::register_streams(spec, reg);
  ASSERT_TRUE(cat.ok());
  schema::event_decoder dec{&reg, std::make_shared<const schema::stream_catalog>(std::move(*cat))};

  auto old = dec.decode(framed(v1, orders_v1, R"({"user":"u1","ts":5})"), "orders");
  ASSERT_TRUE(old.ok()) << old.err().message;
  EXPECT_EQ(std::get<std::string>(*old->get("user")), "u1");
  EXPECT_EQ(std::get<int64_t>(*old->get("ts")), 5);
  ASSERT_NE(old->get("coupon"), nullptr) << "the reader's default fills the field v1 lacks";
  EXPECT_TRUE(event::is_null(*old->get("coupon")));

  auto cur = dec.decode(framed(v2, orders_v2, R"({"user":"u2","ts":6,"coupon":"X"})"), "orders");
  ASSERT_TRUE(cur.ok());
  EXPECT_EQ(std::get<std::string>(*cur->get("coupon")), "X");

  // Third-party bytes framed with an id the registry lacks; garbage; and JSON from before Avro.
  auto unknown = dec.decode(framed(99, orders_v1, R"({"user":"u1","ts":5})"), "orders");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(schema::reason_of(unknown.err()), schema::errc::schema_not_found);
  auto garbage = dec.decode(std::string("\x00\x00\x00\x00\x01\xff\xff", 7), "orders");
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(avro::reason_of(garbage.err()), avro::errc{0});
  auto unframed = dec.decode(std::string("\x07hello", 6), "orders");
  ASSERT_FALSE(unframed.ok());
  EXPECT_EQ(avro::reason_of(unframed.err()), avro::errc::not_confluent_framed);
  auto json = dec.decode(R"({"user":"u3","ts":7})", "orders");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(std::get<std::string>(*json->get("user")), "u3");
}

TEST(event_decoder, id_0_is_the_streams_local_schema_without_a_registry) {
  auto spec = orders_spec(orders_v1);
  auto cat = schema::local_catalog(spec);
  ASSERT_TRUE(cat.ok());
  schema::event_decoder dec{nullptr, std::make_shared<const schema::stream_catalog>(std::move(*cat))};
  auto r = dec.decode(framed(0, orders_v1, R"({"user":"u1","ts":5})"), "orders");
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(std::get<std::string>(*r->get("user")), "u1");
  auto other_stream = dec.decode(framed(0, orders_v1, R"({"user":"u1","ts":5})"), "nope");
  ASSERT_FALSE(other_stream.ok());
  auto real_id = dec.decode(framed(3, orders_v1, R"({"user":"u1","ts":5})"), "orders");
  ASSERT_FALSE(real_id.ok());
  EXPECT_EQ(schema::reason_of(real_id.err()), schema::errc::schema_not_found);
}

} // namespace
