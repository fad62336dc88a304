// ingest's check_json_event: every rejection reason, the key and the event time.
#include <string>

#include <gtest/gtest.h>

#include "services/ingest/event_check.hpp"

namespace {

using freshet::ingest::check_json_event;
using freshet::ingest::checked_event;
using freshet::ingest::max_event_bytes;
using freshet::ingest::rejection;

constexpr int64_t received_at = 1'700'000'000'123;

freshet::config::stream_spec keyed_stream() {
  return {"page_view", "schemas/page_view.avsc", "user_id", "ts"};
}

struct outcome {
  bool ok = false;
  checked_event ev;
  rejection why;
};

outcome check(const std::string& payload, const freshet::config::stream_spec& s = keyed_stream()) {
  outcome o;
  o.ok = check_json_event(s, payload, received_at, o.ev, o.why);
  return o;
}

std::string reason(const std::string& payload, const freshet::config::stream_spec& s = keyed_stream()) {
  auto o = check(payload, s);
  EXPECT_FALSE(o.ok) << payload;
  EXPECT_FALSE(o.why.message.empty());
  return o.why.reason;
}

TEST(check_json_event, a_good_event_passes_with_key_and_event_time) {
  auto o = check(R"({"user_id":"u42","ts":1700000000000,"url":"/a","event_id":"e-1"})");
  ASSERT_TRUE(o.ok) << o.why.reason;
  EXPECT_EQ(o.ev.key, "u42");
  EXPECT_EQ(o.ev.event_time_ms, 1'700'000'000'000);
  EXPECT_EQ(o.ev.event_id, "e-1");
}

TEST(check_json_event, too_large) {
  std::string big = R"({"user_id":"u","pad":")" + std::string(max_event_bytes, 'x') + "\"}";
  EXPECT_EQ(reason(big), "event_too_large");
}

TEST(check_json_event, exactly_the_limit_is_allowed) {
  std::string head = R"({"user_id":"u","pad":")", tail = "\"}";
  std::string at_limit = head + std::string(max_event_bytes - head.size() - tail.size(), 'x') + tail;
  ASSERT_EQ(at_limit.size(), max_event_bytes);
  EXPECT_TRUE(check(at_limit).ok);
  std::string over = head + std::string(max_event_bytes - head.size() - tail.size() + 1, 'x') + tail;
  EXPECT_EQ(reason(over), "event_too_large");
}

TEST(check_json_event, malformed_json) {
  EXPECT_EQ(reason("{not json"), "malformed_json");
  EXPECT_EQ(reason(""), "malformed_json");
  EXPECT_EQ(reason(R"({"user_id":"u1",})"), "malformed_json");
  EXPECT_EQ(reason(R"({"user_id":"u1"} trailing)"), "malformed_json");
}

TEST(check_json_event, not_an_object) {
  EXPECT_EQ(reason(R"(["user_id","u1"])"), "not_an_object");
  EXPECT_EQ(reason("42"), "not_an_object");
  EXPECT_EQ(reason(R"("text")"), "not_an_object");
  EXPECT_EQ(reason("null"), "not_an_object");
}

TEST(check_json_event, missing_key) {
  EXPECT_EQ(reason(R"({"ts":1})"), "missing_key");
  EXPECT_EQ(reason(R"({"user_id":null,"ts":1})"), "missing_key");
  EXPECT_EQ(reason(R"({"USER_ID":"u1"})"), "missing_key"); // field names are case-sensitive
}

TEST(check_json_event, bad_timestamp) {
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":"yesterday"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":"1700000000000"})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":-5})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":1.7e12})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":null})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":true})"), "bad_timestamp");
  EXPECT_EQ(reason(R"({"user_id":"u1","ts":18446744073709551615})"), "bad_timestamp"); // > int64
}

TEST(check_json_event, checks_run_in_a_fixed_order) {
  // Both the key and the timestamp are wrong: the key is reported.
  EXPECT_EQ(reason(R"({"ts":"bad"})"), "missing_key");
}

TEST(check_json_event, numeric_and_other_keys_become_their_json_text) {
  auto o = check(R"({"user_id":12345,"ts":1})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.key, "12345");
  o = check(R"({"user_id":-7,"ts":1})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.key, "-7");
  o = check(R"({"user_id":"","ts":1})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.key, "");
  o = check(R"({"user_id":"ünï \"q\"","ts":1})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.key, "ünï \"q\""); // the string itself, not its JSON encoding
}

TEST(check_json_event, event_time_falls_back_to_the_receipt_time) {
  auto o = check(R"({"user_id":"u1"})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.event_time_ms, received_at);

  auto no_time_field = keyed_stream();
  no_time_field.event_time_field.clear();
  o = check(R"({"user_id":"u1","ts":"ignored when the stream declares no event time"})", no_time_field);
  ASSERT_TRUE(o.ok) << o.why.reason;
  EXPECT_EQ(o.ev.event_time_ms, received_at);
}

TEST(check_json_event, zero_is_a_valid_event_time) {
  auto o = check(R"({"user_id":"u1","ts":0})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.event_time_ms, 0);
}

TEST(check_json_event, stream_without_key_field_needs_no_key) {
  freshet::config::stream_spec s{"free", "", "", ""};
  auto o = check("{}", s);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.key, "");
  EXPECT_EQ(o.ev.event_time_ms, received_at);
}

TEST(check_json_event, output_is_reset_between_events) {
  freshet::config::stream_spec s{"free", "", "", ""};
  checked_event ev;
  rejection why;
  ASSERT_TRUE(check_json_event(keyed_stream(), R"({"user_id":"u1","ts":5,"event_id":"e1"})", received_at, ev, why));
  ASSERT_TRUE(check_json_event(s, R"({"a":1})", received_at + 1, ev, why));
  EXPECT_EQ(ev.key, "");
  EXPECT_EQ(ev.event_id, "");
  EXPECT_EQ(ev.event_time_ms, received_at + 1);
}

TEST(check_json_event, a_non_string_event_id_is_ignored) {
  auto o = check(R"({"user_id":"u1","event_id":17})");
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.ev.event_id, "");
}

} // namespace
