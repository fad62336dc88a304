// Each record-level expectation kind: what passes, what fails, and what the failure says.
#include <gtest/gtest.h>

#include "common/event/json_codec.hpp"
#include "services/quality-gate/checks.hpp"
#include "tests/unit/quality_gate/fixtures.hpp"

namespace {

using namespace freshet::quality_gate;

/// Compiles one expectation of stream `orders` from its YAML item.
std::unique_ptr<record_check> compile(const std::string& item) {
  auto spec = qg_test::parse(qg_test::stream_section("orders", {item}));
  EXPECT_TRUE(spec.ok()) << spec.err().describe();
  if (!spec.ok())
    return nullptr;
  auto c = compile_check(spec->expectations.front());
  EXPECT_TRUE(c.ok()) << c.err().describe();
  return c.ok() ? std::move(*c) : nullptr;
}

/// The failure message, or "" when the event passes. `ingest_ts` < 0 leaves the header out.
std::string run(const record_check& c, const std::string& json, int64_t ingest_ts = -1, int64_t now = 1'000'000) {
  auto rec = freshet::event::decode_json(json);
  EXPECT_TRUE(rec.ok()) << json;
  std::vector<freshet::kafka::header> extra{{"freshet.event_id", "e-1"}};
  if (ingest_ts >= 0)
    extra.push_back({"freshet.ingest_ts", std::to_string(ingest_ts)});
  auto raw = qg_test::raw("orders", json, 1, extra);
  event_view view{*rec, raw, now};
  return c.check(view).value_or("");
}

} // namespace

TEST(checks, not_null) {
  auto c = compile("{name: a, not_null: [user_id, geo.country]}");
  EXPECT_EQ(run(*c, R"({"user_id": "u", "geo": {"country": "DE"}})"), "");
  EXPECT_EQ(run(*c, R"({"user_id": "", "geo": {"country": 0}})"), ""); // empty and zero are values
  EXPECT_EQ(run(*c, R"({"user_id": null, "geo": {"country": "DE"}})"), "user_id is null");
  EXPECT_EQ(run(*c, R"({"geo": {}})"), "user_id is missing, geo.country is missing");
}

TEST(checks, type) {
  auto integer = compile("{name: a, type: {field: n, is: integer}}");
  EXPECT_EQ(run(*integer, R"({"n": 3})"), "");
  EXPECT_EQ(run(*integer, R"({"n": 3.0})"), "");
  EXPECT_EQ(run(*integer, R"({})"), ""); // absence is not_null's business
  EXPECT_EQ(run(*integer, R"({"n": null})"), "");
  EXPECT_EQ(run(*integer, R"({"n": 3.5})"), "n is a fractional number (3.5), not an integer");
  EXPECT_EQ(run(*integer, R"({"n": "3"})"), R"(n is a string ("3"), not an integer)");
  auto number = compile("{name: a, type: {field: n, is: number}}");
  EXPECT_EQ(run(*number, R"({"n": 3})"), "");
  EXPECT_EQ(run(*number, R"({"n": -0.5})"), "");
  EXPECT_EQ(run(*number, R"({"n": true})"), "n is a boolean (true), not a number");
  auto str = compile("{name: a, type: {field: n, is: string}}");
  EXPECT_EQ(run(*str, R"({"n": "x"})"), "");
  EXPECT_EQ(run(*str, R"({"n": [1, 2]})"), ""); // arrays travel as their JSON text
  EXPECT_EQ(run(*str, R"({"n": 1})"), "n is an integer (1), not a string");
  auto boolean = compile("{name: a, type: {field: n, is: boolean}}");
  EXPECT_EQ(run(*boolean, R"({"n": false})"), "");
  EXPECT_NE(run(*boolean, R"({"n": "false"})"), "");
}

TEST(checks, range) {
  auto c = compile("{name: a, range: {field: x, min: 0, max: 10}}");
  EXPECT_EQ(run(*c, R"({"x": 0})"), "");
  EXPECT_EQ(run(*c, R"({"x": 10})"), "");
  EXPECT_EQ(run(*c, R"({"x": 5.5})"), "");
  EXPECT_EQ(run(*c, R"({})"), "");
  EXPECT_EQ(run(*c, R"({"x": -0.5})"), "x = -0.5 is below the minimum 0");
  EXPECT_EQ(run(*c, R"({"x": 11})"), "x = 11 is above the maximum 10");
  EXPECT_EQ(run(*c, R"({"x": "5"})"), R"(x is not a number ("5"))");
  auto open = compile("{name: a, range: {field: x, min: 0, max: 1, exclusive_min: true, exclusive_max: true}}");
  EXPECT_NE(run(*open, R"({"x": 0})"), "");
  EXPECT_NE(run(*open, R"({"x": 1})"), "");
  EXPECT_EQ(run(*open, R"({"x": 0.5})"), "");
  auto only_max = compile("{name: a, range: {field: x, max: 3}}");
  EXPECT_EQ(run(*only_max, R"({"x": -1e300})"), "");
}

TEST(checks, in_set) {
  auto c = compile("{name: a, in_set: {field: c, values: [EUR, USD, 7, true]}}");
  EXPECT_EQ(run(*c, R"({"c": "EUR"})"), "");
  EXPECT_EQ(run(*c, R"({"c": 7})"), "");   // compared as text
  EXPECT_EQ(run(*c, R"({"c": 7.0})"), "");
  EXPECT_EQ(run(*c, R"({"c": true})"), "");
  EXPECT_EQ(run(*c, R"({})"), "");
  EXPECT_EQ(run(*c, R"({"c": "eur"})"), R"(c = "eur" is not one of EUR, USD, 7, true)");
}

TEST(checks, regex) {
  auto c = compile(R"({name: a, regex: {field: sku, pattern: '^[A-Z]{3}-\d+$'}})");
  EXPECT_EQ(run(*c, R"({"sku": "ABC-12"})"), "");
  EXPECT_EQ(run(*c, R"({})"), "");
  EXPECT_EQ(run(*c, R"({"sku": "abc-12"})"), R"(sku = "abc-12" does not match ^[A-Z]{3}-\d+$)");
  auto unanchored = compile("{name: a, regex: {field: n, pattern: '4'}}");
  EXPECT_EQ(run(*unanchored, R"({"n": 1234})"), ""); // numbers match on their text; search, not full match
  // A pattern that backtracks exponentially elsewhere is linear under RE2, on a 1 MB value too.
  auto evil = compile("{name: a, regex: {field: s, pattern: '^(a+)+$'}}");
  std::string s(1 << 20, 'a');
  EXPECT_NE(run(*evil, R"({"s": ")" + s + R"(!"})"), "");
  EXPECT_EQ(run(*evil, R"({"s": ")" + s + R"("})"), "");
  // Messages stay short whatever the value.
  EXPECT_LT(run(*evil, R"({"s": ")" + s + R"(!"})").size(), 200u);
}

TEST(checks, a_bad_pattern_or_rule_fails_at_compile_time) {
  auto spec = qg_test::parse(qg_test::stream_section("orders", {"{name: a, regex: {field: s, pattern: '(unclosed'}}",
                                                                "{name: b, rule: 'a >'}"}));
  ASSERT_TRUE(spec.ok());
  auto re = compile_check(spec->expectations[0]);
  ASSERT_FALSE(re.ok());
  EXPECT_MENTIONS(re.err().message, "orders/a: bad pattern");
  auto rule = compile_check(spec->expectations[1]);
  ASSERT_FALSE(rule.ok());
  EXPECT_MENTIONS(rule.err().message, "orders/b: rule: expected a value");
}

TEST(checks, length_counts_code_points) {
  auto c = compile("{name: a, length: {field: s, min: 2, max: 4}}");
  EXPECT_EQ(run(*c, R"({"s": "ab"})"), "");
  EXPECT_EQ(run(*c, R"({"s": "äöüß"})"), ""); // 8 bytes, 4 characters
  EXPECT_EQ(run(*c, R"({"s": "a"})"), "s has 1 characters; the minimum is 2");
  EXPECT_EQ(run(*c, R"({"s": "abcde"})"), "s has 5 characters; the maximum is 4");
  EXPECT_EQ(run(*c, R"({"s": 12})"), "s is not a string (12)");
  EXPECT_EQ(run(*c, R"({})"), "");
}

TEST(checks, freshness_is_judged_against_the_receipt_time) {
  auto c = compile("{name: a, freshness: {max_ahead: 1s, max_age: 1m}}"); // field: the stream's event_time (ts)
  const int64_t received = 10'000'000;
  EXPECT_EQ(run(*c, R"({"ts": 10000000})", received), "");
  EXPECT_EQ(run(*c, R"({"ts": 10001000})", received), "");
  EXPECT_EQ(run(*c, R"({"ts": 9940000})", received), "");
  EXPECT_EQ(run(*c, R"({"ts": 10001001})", received), "ts is 1001 ms ahead of receipt; at most 1000 ms allowed");
  EXPECT_EQ(run(*c, R"({"ts": 9939999})", received), "ts is 60001 ms old at receipt; at most 60000 ms allowed");
  EXPECT_EQ(run(*c, R"({"ts": "yesterday"})", received), R"(ts is not an epoch-millisecond number ("yesterday"))");
  // Without a receipt time the gate's clock is "now": the same event can be judged either way.
  EXPECT_EQ(run(*c, R"({"ts": 10000000})", -1, /*now=*/10'000'500), "");
  EXPECT_NE(run(*c, R"({"ts": 10000000})", -1, /*now=*/20'000'000), "");
}

TEST(checks, rule_names_its_fields_values) {
  auto c = compile(R"({name: a, rule: 'amount >= 0 && (currency != "JPY" || amount == floor(amount))'})");
  EXPECT_EQ(run(*c, R"({"amount": 5, "currency": "JPY"})"), "");
  auto why = run(*c, R"({"amount": 5.5, "currency": "JPY"})");
  EXPECT_MENTIONS(why, "rule is false");
  EXPECT_MENTIONS(why, R"(amount=5.5, currency="JPY")");
  EXPECT_MENTIONS(run(*c, R"({"currency": "JPY"})"), "rule is null");
  EXPECT_MENTIONS(run(*c, R"({"currency": "JPY"})"), "amount=missing");
}

TEST(checks, rules_see_the_record_metadata) {
  auto c = compile("{name: a, rule: 'ts <= ingest_ts && event_id == \"e-1\" && stream == \"orders\"'}");
  EXPECT_EQ(run(*c, R"({"ts": 5})", /*ingest_ts=*/7), "");
  EXPECT_NE(run(*c, R"({"ts": 9})", 7), "");
  EXPECT_NE(run(*c, R"({"ts": 5})"), ""); // no receipt time: ingest_ts is null
  // A field of the event shadows the metadata of the same name.
  EXPECT_EQ(run(*c, R"({"ts": 9, "ingest_ts": 10})", 7), "");
}

TEST(expectation_set, compiles_every_stream_and_separates_kinds) {
  auto spec = qg_test::parse(qg_test::stream_section("orders", {"{name: a, not_null: x}",
                                                                "{name: u, unique: event_id, dedupe_window: 1h}",
                                                                "{name: r, row_count: {min: 1}}",
                                                                "{name: b, range: {field: y, max: 1}}"}));
  ASSERT_TRUE(spec.ok());
  auto set = expectation_set::compile(qg_test::pipeline(), *spec);
  ASSERT_TRUE(set.ok()) << set.err().describe();
  const auto* orders = set->find("orders");
  ASSERT_NE(orders, nullptr);
  ASSERT_EQ(orders->checks.size(), 2u);
  EXPECT_EQ(orders->checks[0]->spec().name, "a");
  EXPECT_EQ(orders->checks[1]->spec().name, "b");
  ASSERT_TRUE(orders->unique);
  EXPECT_EQ(orders->unique->name, "u");
  const auto* clicks = set->find("clicks");
  ASSERT_NE(clicks, nullptr);
  EXPECT_TRUE(clicks->checks.empty());
  EXPECT_EQ(set->find("nope"), nullptr);
}

TEST(expectation_set, the_clickstream_example_compiles) {
  auto pipeline =
    freshet::config::load_pipeline_spec(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml");
  ASSERT_TRUE(pipeline.ok()) << pipeline.err().describe();
  auto spec = freshet::config::load_expectations_spec(*pipeline);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  auto set = expectation_set::compile(*pipeline, *spec);
  ASSERT_TRUE(set.ok()) << set.err().describe();
  // What the load generator and the walking skeleton send passes.
  const auto* purchase = set->find("purchase");
  ASSERT_NE(purchase, nullptr);
  auto ev = freshet::event::decode_json(R"({"user_id":"u1","ts":1000,"order_id":"o-1","amount":12.5,"currency":"EUR","items":2})");
  ASSERT_TRUE(ev.ok());
  auto raw = qg_test::raw("purchase", "", 1, {{"freshet.ingest_ts", "1000"}});
  event_view view{*ev, raw, 1000};
  for (const auto& c : purchase->checks)
    EXPECT_FALSE(c->check(view).has_value()) << c->spec().name << ": " << c->check(view).value_or("");
  // The walking skeleton publishes the same page-view-shaped payload to every stream.
  auto skeleton = freshet::event::decode_json(R"({"user_id":"u3","ts":1000,"url":"/p/3"})");
  ASSERT_TRUE(skeleton.ok());
  for (const char* stream : {"page_view", "add_to_cart", "purchase"}) {
    event_view v{*skeleton, qg_test::raw(stream, "", 1, {{"freshet.ingest_ts", "1000"}}), 1000};
    for (const auto& c : set->find(stream)->checks)
      EXPECT_FALSE(c->check(v).has_value()) << stream << "/" << c->spec().name << ": " << c->check(v).value_or("");
  }
}
