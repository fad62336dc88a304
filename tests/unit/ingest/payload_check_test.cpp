// ingest's payload_checker on Avro input (Confluent-framed, checked against the registry and the
// stream's subject) with an in-memory schema source; and validate_streams.
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/avro/json_encoder.hpp"
#include "common/avro/wire_format.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/errc.hpp"
#include "common/schema/stream_schemas.hpp"
#include "services/ingest/payload_check.hpp"

namespace {

using namespace freshet;
using ingest::payload_format;

const std::string page_view = R"({"type":"record","name":"PageView","namespace":"c","fields":[
  {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"url","type":"string"},{"name":"referrer","type":["null","string"],"default":null}]})";
// An older version of the subject (no referrer).
const std::string page_view_v0 = R"({"type":"record","name":"PageView","namespace":"c","fields":[
  {"name":"user_id","type":"string"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"url","type":"string"}]})";
// Another team's schema the stream can read (fields reordered, an extra one).
const std::string compatible_foreign = R"({"type":"record","name":"PageView","namespace":"c","fields":[
  {"name":"url","type":"string"},{"name":"extra","type":"int"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"user_id","type":"string"}]})";
const std::string incompatible_foreign = R"({"type":"record","name":"Order","fields":[{"name":"n","type":"int"}]})";

/// What a registry would answer, without HTTP.
class fake_source final : public schema::schema_source {
 public:
  bool down = false;
  int lookups = 0;
  void add(int id, const std::string& subject, const std::string& text) {
    ids_.emplace(id, *avro::schema::parse(text));
    if (!subject.empty())
      subjects_[subject].insert(id);
  }
  result<avro::schema> by_id(schema_id id) override {
    ++lookups;
    if (down)
      return schema::make_schema_error(schema::errc::unreachable, "registry down");
    auto it = ids_.find(id.value());
    if (it == ids_.end())
      return schema::make_schema_error(schema::errc::schema_not_found, "Schema not found");
    return it->second;
  }
  result<bool> in_subject(const std::string& subject, schema_id id) override {
    if (down)
      return schema::make_schema_error(schema::errc::unreachable, "registry down");
    return subjects_[subject].count(id.value()) > 0;
  }

 private:
  std::map<int, avro::schema> ids_;
  std::map<std::string, std::set<int>> subjects_;
};

config::pipeline_spec spec() {
  auto s = config::parse_pipeline_spec(R"(pipeline: t
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
  - {name: page_view, schema: unused.avsc, key: user_id, event_time: ts}
  - {name: loose}
)",
                                       "/tmp");
  EXPECT_TRUE(s.ok()) << s.err().message;
  return *s;
}

std::string framed(int id, const std::string& schema_text, const std::string& json) {
  avro::json_encoder enc{*avro::schema::parse(schema_text)};
  std::string out;
  auto st = enc.encode_framed(schema_id{id}, json, out);
  EXPECT_TRUE(st.ok()) << st.err().message;
  return out;
}

struct fixture : ::testing::Test {
  config::pipeline_spec sp = spec();
  fake_source registry;
  std::unique_ptr<ingest::payload_checker> checker;
  ingest::checked_event ev;
  ingest::rejection why;

  fixture() {
    registry.add(7, "page_view-value", page_view);
    registry.add(3, "page_view-value", page_view_v0);
    registry.add(11, "other-value", compatible_foreign);
    registry.add(12, "other-value", incompatible_foreign);
    std::vector<schema::stream_schema> streams{
      {"page_view", "page_view-value", schema_id{7}, 2, *avro::schema::parse(page_view)}};
    checker = std::make_unique<ingest::payload_checker>(
      sp, std::make_shared<const schema::stream_catalog>(std::move(streams), true), &registry, ingest::check_limits{});
  }
  bool avro_check(const std::string& bytes, const std::string& stream = "page_view") {
    return checker->check(stream, bytes, payload_format::avro, 1000, ev, why);
  }
};

const std::string event_json = R"({"user_id":"u1","ts":1700000000000,"url":"/x"})";

TEST_F(fixture, avro_of_the_streams_subject_is_taken_as_sent) {
  auto bytes = framed(7, page_view, R"({"user_id":"u1","ts":1700000000000,"url":"/x","referrer":"r"})");
  ASSERT_TRUE(avro_check(bytes)) << why.reason << ": " << why.message;
  EXPECT_EQ(ev.value, bytes);
  EXPECT_EQ(ev.key, "u1");
  EXPECT_EQ(ev.event_time_ms, 1'700'000'000'000);
  EXPECT_EQ(ev.schema_id, 7);
  // An older version of the same subject too, keeping its own id.
  auto old = framed(3, page_view_v0, event_json);
  ASSERT_TRUE(avro_check(old)) << why.message;
  EXPECT_EQ(ev.schema_id, 3);
  EXPECT_EQ(ev.value, old);
}

TEST_F(fixture, json_is_framed_with_the_latest_id) {
  ASSERT_TRUE(checker->check("page_view", event_json, payload_format::json, 1, ev, why)) << why.message;
  auto frame = avro::parse_confluent(ev.value);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), 7);
  EXPECT_EQ(ev.schema_id, 7);
}

TEST_F(fixture, another_subjects_schema_is_taken_when_the_stream_can_read_it) {
  auto bytes = framed(11, compatible_foreign, R"({"url":"/y","extra":3,"ts":5,"user_id":"u2"})");
  ASSERT_TRUE(avro_check(bytes)) << why.reason << ": " << why.message;
  EXPECT_EQ(ev.key, "u2");
  EXPECT_EQ(ev.event_time_ms, 5);
  EXPECT_EQ(ev.schema_id, 11);
}

TEST_F(fixture, an_incompatible_subject_is_a_schema_mismatch) {
  ASSERT_FALSE(avro_check(framed(12, incompatible_foreign, R"({"n":1})")));
  EXPECT_EQ(why.reason, "schema_mismatch");
  EXPECT_EQ(why.schema_id, 12);
  EXPECT_FALSE(why.retry);
}

TEST_F(fixture, unknown_ids_bad_frames_and_bad_bytes) {
  ASSERT_FALSE(avro_check(framed(99, page_view, event_json)));
  EXPECT_EQ(why.reason, "unknown_schema_id");
  EXPECT_EQ(why.schema_id, 99);

  ASSERT_FALSE(avro_check(std::string("\x01\x00\x00\x00\x07", 5) + "abc"));
  EXPECT_EQ(why.reason, "not_confluent_framed");
  ASSERT_FALSE(avro_check(std::string("\x00\x00\x00", 3)));
  EXPECT_EQ(why.reason, "truncated");

  auto good = framed(7, page_view, event_json);
  ASSERT_FALSE(avro_check(good.substr(0, good.size() - 2)));
  EXPECT_EQ(why.reason, "truncated");
  EXPECT_EQ(why.schema_id, 7);
  ASSERT_FALSE(avro_check(good + "\x01"));
  EXPECT_EQ(why.reason, "trailing_bytes");
  ASSERT_FALSE(avro_check(std::string("\x00\x00\x00\x00\x07", 5) + std::string(12, '\xff')));
  EXPECT_EQ(why.reason, "bad_varint");
  ASSERT_FALSE(avro_check(std::string("\x00\x00\x00\x00\x07", 5) + "\x7e" + "abc"));
  EXPECT_EQ(why.reason, "truncated") << "a string longer than the bytes left";
  ASSERT_FALSE(avro_check(std::string("\x00\x00\x00\x00\x07", 5) + "\x03" + "abc"));
  EXPECT_EQ(why.reason, "negative_length");
  // Bytes that are not UTF-8 in a string field.
  std::string bad_utf8 = std::string("\x00\x00\x00\x00\x07", 5) + "\x04\xff\xfe" + "\x02" + "\x02/" + std::string(1, '\0');
  ASSERT_FALSE(avro_check(bad_utf8));
  EXPECT_EQ(why.reason, "invalid_utf8");
}

TEST_F(fixture, an_unreachable_registry_means_retry_not_dead_letter) {
  registry.down = true;
  ASSERT_FALSE(avro_check(framed(8, page_view, event_json)));
  EXPECT_EQ(why.reason, "registry_unavailable");
  EXPECT_TRUE(why.retry);
  registry.down = false;
  registry.add(8, "page_view-value", page_view);
  EXPECT_TRUE(avro_check(framed(8, page_view, event_json))) << why.message;
}

TEST_F(fixture, writer_plans_are_cached) {
  auto bytes = framed(7, page_view, event_json);
  ASSERT_TRUE(avro_check(bytes));
  int before = registry.lookups;
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(avro_check(bytes));
  EXPECT_EQ(registry.lookups, before);
}

TEST_F(fixture, streams_without_a_schema_take_nothing) {
  ASSERT_FALSE(checker->check("loose", event_json, payload_format::json, 1, ev, why));
  EXPECT_EQ(why.reason, "no_schema");
}

TEST_F(fixture, a_new_catalogue_changes_the_framing_id) {
  std::vector<schema::stream_schema> streams{
    {"page_view", "page_view-value", schema_id{3}, 1, *avro::schema::parse(page_view_v0)}};
  checker->set_catalog(std::make_shared<const schema::stream_catalog>(std::move(streams), true));
  ASSERT_TRUE(checker->check("page_view", event_json, payload_format::json, 1, ev, why));
  EXPECT_EQ(ev.schema_id, 3);
  EXPECT_EQ(checker->schema_id_of("page_view"), 3);
}

TEST(validate_streams, key_and_event_time_fields_must_exist_with_usable_types) {
  auto sp = spec();
  auto catalog = [&](const std::string& text) {
    std::vector<schema::stream_schema> streams{{"page_view", "page_view-value", schema_id{1}, 1, *avro::schema::parse(text)}};
    return schema::stream_catalog{std::move(streams), true};
  };
  EXPECT_TRUE(ingest::validate_streams(sp, catalog(page_view)).ok());
  auto no_key = ingest::validate_streams(sp, catalog(R"({"type":"record","name":"R","fields":[
    {"name":"ts","type":"long"}]})"));
  ASSERT_FALSE(no_key.ok());
  EXPECT_NE(no_key.err().message.find("user_id"), std::string::npos) << no_key.err().message;
  auto bad_time = ingest::validate_streams(sp, catalog(R"({"type":"record","name":"R","fields":[
    {"name":"user_id","type":"string"},{"name":"ts","type":"string"}]})"));
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.err().message.find("event-time"), std::string::npos) << bad_time.err().message;
  auto bad_key = ingest::validate_streams(sp, catalog(R"({"type":"record","name":"R","fields":[
    {"name":"user_id","type":{"type":"array","items":"int"}},{"name":"ts","type":"long"}]})"));
  EXPECT_FALSE(bad_key.ok());
}

} // namespace
