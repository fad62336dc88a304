// config::parse_expectations_spec: every kind parses into its fields, every mistake is named.
#include <gtest/gtest.h>

#include "tests/unit/quality_gate/fixtures.hpp"

namespace {

using freshet::config::expectation_kind;
using freshet::config::expectation_severity;
using qg_test::parse;
using qg_test::stream_section;

std::string failure(const std::string& section) {
  auto r = parse(section);
  if (r.ok())
    return "<parsed successfully>";
  EXPECT_EQ(r.err().domain, freshet::error_domain::config);
  return r.err().message;
}

std::string one(const std::string& item) {
  return failure(stream_section("orders", {item}));
}

} // namespace

TEST(expectations_spec, the_clickstream_example_parses) {
  auto spec = freshet::config::load_pipeline_spec(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml");
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  auto e = freshet::config::load_expectations_spec(*spec);
  ASSERT_TRUE(e.ok()) << e.err().describe();
  EXPECT_GE(e->expectations.size(), 15u);
  auto purchase = e->of_stream("purchase");
  ASSERT_FALSE(purchase.empty());
  EXPECT_EQ(purchase.front()->name, "has_user_and_time");
  // freshness without a field takes the stream's event_time
  bool saw_freshness = false;
  for (const auto* x : purchase)
    if (x->kind == expectation_kind::freshness) {
      saw_freshness = true;
      EXPECT_EQ(x->field(), "ts");
      EXPECT_EQ(x->max_ahead_ms, 300'000);
      EXPECT_EQ(x->max_age_ms, 7 * 86'400'000LL);
    }
  EXPECT_TRUE(saw_freshness);
}

TEST(expectations_spec, a_spec_without_the_section_has_no_expectations) {
  auto r = freshet::config::parse_expectations_spec("pipeline: x\n", qg_test::pipeline());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->expectations.empty());
}

TEST(expectations_spec, every_kind_parses_into_its_fields) {
  auto r = parse("  webhook: http://hooks.local:8080/q\n" +
                 stream_section("orders", {
                   "{name: nn, not_null: [user_id, ts]}",
                   "{name: nn1, not_null: user_id}",
                   "{name: ty, type: {field: amount, is: integer}}",
                   "{name: rg, range: {field: amount, min: 0, max: 10, exclusive_max: true}, severity: warn}",
                   "{name: st, in_set: {field: currency, values: [EUR, 1, true]}}",
                   "{name: rx, regex: {field: sku, pattern: '^[A-Z]+$'}}",
                   "{name: ln, length: {field: sku, min: 2}}",
                   "{name: fr, freshness: {max_age: 2h}}",
                   "{name: ru, rule: 'amount >= 0'}",
                   "{name: un, unique: event_id, dedupe_window: 10m}",
                   "{name: nr, null_ratio: {field: user_id, max: 0.5}, window: 30s}",
                   "{name: rc, row_count: {min: 1, max: 5}, webhook: 'http://other:1/x'}",
                   "{name: dr, distinct_ratio: {field: user_id, min: 0.1}, min_rows: 20}",
                 }));
  ASSERT_TRUE(r.ok()) << r.err().describe();
  const auto& e = r->expectations;
  ASSERT_EQ(e.size(), 13u);
  EXPECT_EQ(e[0].fields, (std::vector<std::string>{"user_id", "ts"}));
  EXPECT_EQ(e[1].fields, (std::vector<std::string>{"user_id"}));
  EXPECT_EQ(e[2].type, freshet::config::value_type::integer);
  EXPECT_EQ(e[3].min, 0.0);
  EXPECT_EQ(e[3].max, 10.0);
  EXPECT_TRUE(e[3].exclusive_max);
  EXPECT_FALSE(e[3].exclusive_min);
  EXPECT_EQ(e[3].severity, expectation_severity::warn);
  EXPECT_EQ(e[4].values, (std::vector<std::string>{"EUR", "1", "true"}));
  EXPECT_EQ(e[5].pattern, "^[A-Z]+$");
  EXPECT_EQ(e[6].min, 2.0);
  EXPECT_FALSE(e[6].max);
  EXPECT_EQ(e[7].field(), "ts");
  EXPECT_EQ(e[7].max_age_ms, 7'200'000);
  EXPECT_FALSE(e[7].max_ahead_ms);
  EXPECT_EQ(e[8].expression, "amount >= 0");
  EXPECT_EQ(e[8].severity, expectation_severity::quarantine);
  EXPECT_EQ(e[9].kind, expectation_kind::unique);
  EXPECT_EQ(e[9].field(), "event_id");
  EXPECT_EQ(e[9].dedupe_window_ms, 600'000);
  EXPECT_EQ(e[9].severity, expectation_severity::drop);
  EXPECT_EQ(e[10].window_ms, 30'000);
  EXPECT_EQ(e[10].webhook, "http://hooks.local:8080/q"); // the section's default
  EXPECT_EQ(e[11].window_ms, 60'000);
  EXPECT_EQ(e[11].webhook, "http://other:1/x");
  EXPECT_EQ(e[12].min_rows, 20);
  for (const auto& x : e)
    EXPECT_EQ(x.stream, "orders");
  EXPECT_EQ(r->of_stream("orders").size(), 13u);
  EXPECT_TRUE(r->of_stream("clicks").empty());
}

TEST(expectations_spec, durations) {
  using freshet::config::parse_duration_ms;
  EXPECT_EQ(*parse_duration_ms("250ms"), 250);
  EXPECT_EQ(*parse_duration_ms("250"), 250);
  EXPECT_EQ(*parse_duration_ms("30s"), 30'000);
  EXPECT_EQ(*parse_duration_ms("5m"), 300'000);
  EXPECT_EQ(*parse_duration_ms("24h"), 86'400'000);
  EXPECT_EQ(*parse_duration_ms("7d"), 604'800'000);
  for (const char* bad : {"", "m", "-5s", "5 m", "5mins", "1.5h", "99999999999999999999d", "5y"})
    EXPECT_FALSE(parse_duration_ms(bad).ok()) << bad;
}

TEST(expectations_spec, structural_mistakes_are_named) {
  EXPECT_MENTIONS(failure("  stream:\n"), "unknown key 'stream'");
  EXPECT_MENTIONS(failure("  streams: [1, 2]\n"), "maps stream names");
  EXPECT_MENTIONS(failure(stream_section("nope", {"{name: a, not_null: x}"})), "stream 'nope' is not declared");
  EXPECT_MENTIONS(failure("  streams:\n    orders: {name: a}\n"), "expectations are a list");
  EXPECT_MENTIONS(failure("  webhook: https://secure/x\n"), "http:// URL");
  EXPECT_MENTIONS(failure(stream_section("orders", {"{name: a, not_null: x}", "{name: a, not_null: y}"})),
                  "'a' appears twice");
  EXPECT_MENTIONS(failure(stream_section("orders", {"{name: u1, unique: event_id, dedupe_window: 1h}",
                                                    "{name: u2, unique: order_id, dedupe_window: 1h}"})),
                  "at most one unique");
}

TEST(expectations_spec, item_mistakes_are_named) {
  EXPECT_MENTIONS(one("{not_null: x}"), "needs a name");
  EXPECT_MENTIONS(one("{name: 'a,b', not_null: x}"), "needs a name of letters");
  EXPECT_MENTIONS(one("{name: undecodable, not_null: x}"), "reason code");
  EXPECT_MENTIONS(one("{name: a}"), "names no kind");
  EXPECT_MENTIONS(one("{name: a, not_null: x, range: {field: y, min: 1}}"), "names two kinds");
  EXPECT_MENTIONS(one("{name: a, not_nul: x}"), "unknown key 'not_nul'");
  EXPECT_MENTIONS(one("{name: a, not_null: []}"), "a field or a list");
  EXPECT_MENTIONS(one("{name: a, type: {field: x, is: date}}"), "'is' must be");
  EXPECT_MENTIONS(one("{name: a, type: {is: string}}"), "needs a field");
  EXPECT_MENTIONS(one("{name: a, range: {field: x}}"), "needs min or max");
  EXPECT_MENTIONS(one("{name: a, range: {field: x, min: 5, max: 1}}"), "min is above max");
  EXPECT_MENTIONS(one("{name: a, range: {field: x, min: abc}}"), "stream orders");
  EXPECT_MENTIONS(one("{name: a, range: {field: x, minimum: 1}}"), "unknown key 'minimum'");
  EXPECT_MENTIONS(one("{name: a, in_set: {field: x, values: []}}"), "non-empty list");
  EXPECT_MENTIONS(one("{name: a, regex: {field: x}}"), "needs a pattern");
  EXPECT_MENTIONS(one("{name: a, length: {field: x, min: -1}}"), "cannot be negative");
  EXPECT_MENTIONS(one("{name: a, freshness: {field: ts}}"), "max_ahead or max_age");
  EXPECT_MENTIONS(one("{name: a, freshness: {max_age: soon}}"), "not a duration");
  EXPECT_MENTIONS(failure(stream_section("clicks", {"{name: a, freshness: {max_age: 1h}}"})), "declares no event_time");
  EXPECT_MENTIONS(one("{name: a, rule: ''}"), "takes an expression");
  EXPECT_MENTIONS(one("{name: a, unique: event_id}"), "needs a dedupe_window");
  EXPECT_MENTIONS(one("{name: a, not_null: x, dedupe_window: 1h}"), "belongs to unique");
  EXPECT_MENTIONS(one("{name: a, unique: event_id, dedupe_window: 1h, severity: loud}"), "or drop");
  EXPECT_MENTIONS(one("{name: a, not_null: x, severity: drop}"), "quarantine or warn");
  EXPECT_MENTIONS(one("{name: a, null_ratio: {field: x, max: 2}}"), "between 0 and 1");
  EXPECT_MENTIONS(one("{name: a, null_ratio: {field: x, max: 0.1}, severity: warn}"), "take no severity");
  EXPECT_MENTIONS(one("{name: a, not_null: x, window: 1m}"), "window belongs to windowed");
  EXPECT_MENTIONS(one("{name: a, row_count: {min: 1}, window: 10ms}"), "at least 1s");
  EXPECT_MENTIONS(one("{name: a, row_count: {min: 1}, webhook: 'ftp://x'}"), "http:// URL");
  EXPECT_MENTIONS(one("{name: a, distinct_ratio: {field: x, min: 1.5}}"), "between 0 and 1");
  EXPECT_MENTIONS(one("{name: a, distinct_ratio: {field: x, min: 0.5}, min_rows: 0}"), "min_rows");
}
