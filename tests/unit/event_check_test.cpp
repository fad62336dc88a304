// ingest's check of JSON events against the stream's schema (payload_checker, JSON path): every
// rejection reason, the key, the event time and the event id. The Avro path is in
// tests/unit/ingest/payload_check_test.cpp.
#include <string>

#include <gtest/gtest.h>

#include "common/avro/wire_format.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/stream_schemas.hpp"
#include "services/ingest/payload_check.hpp"

namespace {

using namespace freshet;
using ingest::checked_event;
using ingest::payload_format;
using ingest::rejection;

constexpr int64_t received_at = 1'700'000'000'123;

struct fixture {
  config::pipeline_spec spec;
  std::unique_ptr<ingest::payload_checker> checker;
  fixture() {
    auto s = config::load_pipeline_spec(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml");
    EXPECT_TRUE(s.ok());
    spec = *s;
    auto cat = schema::local_catalog(spec);
    EXPECT_TRUE(cat.ok());
    checker = std::make_unique<ingest::payload_checker>(
      spec, std::make_shared<const schema::stream_catalog>(std::move(*cat)), nullptr, ingest::check_limits{});
  }
};

fixture& fx() {
  static fixture f;
  return f;
}

struct outcome {
  bool ok = false;
  checked_event ev;
  rejection why;
};

outcome check(const std::string& payload, const std::string& stream = "page_view") {
  outcome o;
  o.ok = fx().checker->check(stream, payload, payload_format::json, received_at, o.ev, o.why);
  return o;
}

std::string reason(const std::string& payload, const std::string& stream = "page_view") {
  auto o = check(payload, stream);
  EXPECT_FALSE(o.ok) << payload;
  EXPECT_FALSE(o.why.message.empty());
  EXPECT_FALSE(o.why.retry);
  return o.why.reason;
}

TEST(json_event_check, a_good_event_becomes_framed_avro_with_key_and_event_time) {
  auto o = check(R"({"user_id":"u42","ts":1700000000000,"url":"/a"})");
  ASSERT_TRUE(o.ok) << o.why.reason << ": " << o.why.message;
  EXPECT_EQ(o.ev.key, "u42");
  EXPECT_EQ(o.ev.event_time_ms, 1'700'000'000'000);
  EXPECT_EQ(o.ev.schema_id, 0);
  auto frame = avro::parse_confluent(o.ev.value);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), 0);
  EXPECT_FALSE(frame->payload.empty());
}

TEST(json_event_check, nullable_fields_with_defaults_may_be_absent_or_null) {
  EXPECT_TRUE(check(R"({"user_id":"u","ts":1,"url":"/"})").ok);
  EXPECT_TRUE(check(R"({"user_id":"u","ts":1,"url":"/","referrer":null,"ip":"1.2.3.4"})").ok);
  EXPECT_TRUE(check(R"({"ts":1,"url":"/","user_id":"u","user_agent":{"string":"Mozilla"}})").ok);
}

TEST(json_event_check, too_large) {
  ingest::check_limits small{.max_event_bytes = 64};
  auto& f = fx();
  auto cat = schema::local_catalog(f.spec);
  ingest::payload_checker c{f.spec, std::make_shared<const schema::stream_catalog>(std::move(*cat)), nullptr, small};
  checked_event ev;
  rejection why;
  std::string head = R"({"user_id":"u","ts":1,"url":"/)", tail = "\"}";
  std::string at_limit = head + std::string(64 - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(at_limit.size(), 64u);
  EXPECT_TRUE(c.check("page_view", at_limit, payload_format::json, received_at, ev, why)) << why.message;
  EXPECT_FALSE(c.check("page_view", at_limit + " ", payload_format::json, received_at, ev, why));
  EXPECT_EQ(why.reason, "event_too_large");
  EXPECT_EQ(why.schema_id, 0);
}

TEST(json_event_check, malformed_json) {
  EXPECT_EQ(reason("{not json"), "malformed_json");
  EXPECT_EQ(reason(""), "malformed_json");
  EXPECT_EQ(reason(R"({"user_id":"u1",})"), "malformed_json");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1,"url":"/"} trailing)"), "malformed_json");
  EXPECT_EQ(reason(R"({"user_id":"u1","user_id":"u2","ts":1,"url":"/"})"), "malformed_json"); // duplicate key
  // With an envelope "event_id" member the fault is still found where it is.
  EXPECT_EQ(reason(R"({"event_id":"e-1","user_id":"u1","ts": oops})"), "malformed_json");
  EXPECT_EQ(reason(R"({"event_id":"e-1","user_id":"u1","ts":1,"url":"/"} x)"), "malformed_json");
}

TEST(json_event_check, not_an_object_is_a_wrong_type) {
  EXPECT_EQ(reason(R"(["user_id","u1"])"), "wrong_type");
  EXPECT_EQ(reason("42"), "wrong_type");
  EXPECT_EQ(reason("null"), "null_not_allowed");
}

TEST(json_event_check, schema_violations) {
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1})"), "missing_field");
  EXPECT_EQ(reason(R"({"user_id":null,"ts":1,"url":"/"})"), "null_not_allowed");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1,"url":5})"), "wrong_type");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1,"url":"/","usr":"typo"})"), "unknown_field");
  EXPECT_EQ(reason("{\"user_id\":\"\xff\",\"ts\":1,\"url\":\"/\"}"), "invalid_utf8");
  EXPECT_EQ(reason(R"({"user_id":"u","ts":1,"sku":"s","quantity":4294967296,"unit_price":1,"currency":"USD"})",
                   "add_to_cart"),
            "number_out_of_range");
  EXPECT_EQ(reason(R"({"user_id":"u","ts":1,"sku":"s","quantity":1,"unit_price":1,"currency":"XYZ"})", "add_to_cart"),
            "unknown_enum_symbol");
}

TEST(json_event_check, bad_timestamps) {
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":"yesterday","url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":"1700000000000","url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":-5,"url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1.7e12,"url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":true,"url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":18446744073709551615,"url":"/"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":null,"url":"/"})"), "null_not_allowed");
}

TEST(json_event_check, zero_is_a_valid_event_time) {
  auto o = check(R"({"user_id":"u1","ts":0,"url":"/"})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.event_time_ms, 0);
}

TEST(json_event_check, unknown_stream) {
  auto o = check(R"({"user_id":"u1","ts":0,"url":"/"})", "no_such_stream");
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.why.reason, "unknown_stream");
  EXPECT_EQ(o.why.schema_id, -1);
  EXPECT_NE(o.why.message.find("no_such_stream"), std::string::npos);
}

TEST(json_event_check, an_event_id_member_is_taken_out_as_the_envelopes) {
  auto o = check(R"({"event_id":"e-1","user_id":"u42","ts":5,"url":"/a"})");
  ASSERT_TRUE(o.ok) << o.why.message;
  EXPECT_EQ(o.ev.payload_event_id, "e-1");
  auto plain = check(R"({"user_id":"u42","ts":5,"url":"/a"})");
  ASSERT_TRUE(plain.ok);
  EXPECT_EQ(plain.ev.value, o.ev.value) << "the id is not part of the Avro record";
  EXPECT_EQ(plain.ev.payload_event_id, "");
  EXPECT_EQ(reason(R"({"event_id":17,"user_id":"u42","ts":5,"url":"/a"})"), "bad_event_id");
  EXPECT_EQ(reason(R"({"event_id":")" + std::string(300, 'x') + R"(","user_id":"u42","ts":5,"url":"/a"})"),
            "bad_event_id");
  // Inside a string the text "event_id" is data, not a member.
  auto inside = check(R"({"user_id":"u42","ts":5,"url":"/?q=\"event_id\""})");
  ASSERT_TRUE(inside.ok) << inside.why.message;
  EXPECT_EQ(inside.ev.payload_event_id, "");
}

TEST(json_event_check, output_is_reset_between_events) {
  auto& c = *fx().checker;
  checked_event ev;
  rejection why;
  ASSERT_TRUE(c.check("page_view", R"({"event_id":"x","user_id":"u1","ts":5,"url":"/"})", payload_format::json, 1,
                      ev, why));
  ASSERT_TRUE(c.check("page_view", R"({"user_id":"u2","ts":6,"url":"/"})", payload_format::json, 2, ev, why));
  EXPECT_EQ(ev.key, "u2");
  EXPECT_EQ(ev.payload_event_id, "");
  EXPECT_EQ(ev.event_time_ms, 6);
}

TEST(json_event_check, avro_is_refused_without_a_registry) {
  outcome o;
  o.ok = fx().checker->check("page_view", std::string("\0\0\0\0\1", 5), payload_format::avro, received_at, o.ev, o.why);
  ASSERT_FALSE(o.ok);
  EXPECT_EQ(o.why.reason, "avro_not_accepted");
}

} // namespace
