// common/config/metrics_spec: the `metrics:` section of the pipeline spec, the example's metrics,
// and what the parser refuses (so that a typo fails at start, not at the first event).
#include <gtest/gtest.h>

#include "common/config/metrics_spec.hpp"
#include "services/aggregate/metric_plan.hpp"

namespace {

using namespace freshet::config;

pipeline_spec streams() {
  pipeline_spec s;
  s.name = "t";
  s.streams = {{"page_view", "", "user_id", "ts"}, {"purchase", "", "user_id", "ts"}};
  return s;
}

freshet::result<metrics_spec> parse(const std::string& metrics_yaml) {
  return parse_metrics_spec("pipeline: t\nmetrics:\n" + metrics_yaml, streams());
}

std::string error_of(const std::string& metrics_yaml) {
  auto r = parse(metrics_yaml);
  return r ? std::string{} : r.err().message;
}

} // namespace

TEST(metrics_spec, a_full_metric_parses_into_every_field) {
  auto r = parse(R"(
  - name: revenue
    stream: purchase
    filter: 'amount > 0 && currency != "JPY"'
    group_by: [currency, user.country]
    window: {type: hopping, size: 1m, hop: 10s, offset: 5s}
    event_time: ts
    allowed_lateness: 30s
    out_of_orderness: 2s
    idle_timeout: 0
    emit: {early_every: 1s, final: true}
    aggregations:
      - {name: n, count: '*'}
      - {name: revenue, sum: amount}
      - {name: lo, min: amount}
      - {name: hi, max: amount}
      - {name: mean, avg: amount}
      - {name: buyers, count_distinct: user_id, precision: 14}
      - {name: amount_q, quantiles: amount, q: [0.5, 0.95], relative_accuracy: 0.02, max_bins: 1024}
      - {name: top_users, top_k: user_id, k: 5, capacity: 50}
)");
  ASSERT_TRUE(r.ok()) << r.err().message;
  ASSERT_EQ(r->metrics.size(), 1u);
  const auto& m = r->metrics[0];
  EXPECT_EQ(m.name, "revenue");
  EXPECT_EQ(m.stream, "purchase");
  EXPECT_EQ(m.filter, R"(amount > 0 && currency != "JPY")");
  EXPECT_EQ(m.group_by, (std::vector<std::string>{"currency", "user.country"}));
  EXPECT_EQ(m.window.type, window_type::hopping);
  EXPECT_EQ(m.window.size_ms, 60000);
  EXPECT_EQ(m.window.hop_ms, 10000);
  EXPECT_EQ(m.window.offset_ms, 5000);
  EXPECT_EQ(m.event_time, "ts");
  EXPECT_EQ(m.allowed_lateness_ms, 30000);
  EXPECT_EQ(m.out_of_orderness_ms, 2000);
  EXPECT_EQ(m.idle_timeout_ms, 0);
  EXPECT_EQ(m.early_every_ms, 1000);
  ASSERT_EQ(m.aggregations.size(), 8u);
  EXPECT_EQ(m.aggregations[0].kind, "count");
  EXPECT_EQ(m.aggregations[0].field, "");
  EXPECT_EQ(m.aggregations[5].precision, 14);
  EXPECT_EQ(m.aggregations[6].quantiles, (std::vector<double>{0.5, 0.95}));
  EXPECT_DOUBLE_EQ(m.aggregations[6].relative_accuracy, 0.02);
  EXPECT_EQ(m.aggregations[6].max_bins, 1024u);
  EXPECT_EQ(m.aggregations[7].k, 5u);
  EXPECT_EQ(m.aggregations[7].capacity, 50u);
  // ... and the engine accepts it.
  auto plan = freshet::aggregate::plan_metric(m);
  ASSERT_TRUE(plan.ok()) << plan.err().message;
  EXPECT_EQ(plan->spec.window.kind, freshet::window::window_kind::hopping);
  EXPECT_TRUE(plan->spec.emit.include_state);
  EXPECT_TRUE(plan->filter.has_value());
}

TEST(metrics_spec, defaults_and_sessions) {
  auto r = parse(R"(
  - name: sessions
    stream: page_view
    group_by: user_id
    window: {type: session, gap: 30m}
    aggregations: [{name: views, count: '*'}]
)");
  ASSERT_TRUE(r.ok()) << r.err().message;
  const auto& m = r->metrics[0];
  EXPECT_EQ(m.window.type, window_type::session);
  EXPECT_EQ(m.window.gap_ms, 1'800'000);
  EXPECT_EQ(m.allowed_lateness_ms, 0);
  EXPECT_EQ(m.idle_timeout_ms, 60000);
  EXPECT_EQ(m.early_every_ms, 0);
  EXPECT_EQ(m.event_time, "");
  EXPECT_EQ(m.group_by, (std::vector<std::string>{"user_id"}));
}

TEST(metrics_spec, no_section_means_no_metrics) {
  auto r = parse_metrics_spec("pipeline: t\n", streams());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->metrics.empty());
}

TEST(metrics_spec, mistakes_are_refused_with_the_reason) {
  const std::string ok_rest = "    window: {type: tumbling, size: 1m}\n    aggregations: [{name: n, count: '*'}]\n";
  EXPECT_NE(error_of("  - {name: a, stream: nope, window: {type: tumbling, size: 1m}, aggregations: [{name: n, count: '*'}]}\n")
              .find("not declared"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    colour: red\n" + ok_rest).find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a b\n    stream: '*'\n" + ok_rest).find("name"), std::string::npos);
  EXPECT_NE(error_of("  - name: event_counts\n    stream: '*'\n" + ok_rest).find("built-in"), std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: tumbling}\n    aggregations: [{name: n, count: '*'}]\n")
              .find("needs 'size'"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: hopping, size: 10s, hop: 1m}\n"
                     "    aggregations: [{name: n, count: '*'}]\n")
              .find("hop"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: sliding, size: 1m}\n"
                     "    aggregations: [{name: n, count: '*'}]\n")
              .find("tumbling, hopping or session"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: tumbling, size: 1m}\n"
                     "    aggregations: [{name: n, median: x}]\n")
              .find("exactly one of"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: tumbling, size: 1m}\n"
                     "    aggregations: [{name: n, sum: x, k: 3}]\n")
              .find("unknown key 'k'"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: tumbling, size: 1m}\n"
                     "    aggregations: [{name: n, count: '*'}, {name: n, sum: x}]\n")
              .find("twice"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    window: {type: tumbling, size: 1m}\n"
                     "    aggregations: [{name: q, quantiles: x, q: [1.5]}]\n")
              .find("[0, 1]"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    allowed_lateness: soon\n" + ok_rest).find("duration"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n" + ok_rest + "  - name: a\n    stream: '*'\n" + ok_rest)
              .find("declared twice"),
            std::string::npos);
  EXPECT_NE(error_of("  - name: a\n    stream: '*'\n    emit: {final: false}\n" + ok_rest).find("final"),
            std::string::npos);
}

TEST(metrics_spec, a_filter_that_does_not_parse_fails_the_plan) {
  auto r = parse("  - name: a\n    stream: '*'\n    filter: 'amount >'\n    window: {type: tumbling, size: 1m}\n"
                 "    aggregations: [{name: n, count: '*'}]\n");
  ASSERT_TRUE(r.ok());
  auto plan = freshet::aggregate::plan_metric(r->metrics[0]);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.err().message.find("metric a"), std::string::npos);
}

TEST(metrics_spec, the_builtin_counts_events_per_stream_by_record_time) {
  auto m = builtin_event_counts(10000, 3600000, 1000);
  EXPECT_EQ(m.name, event_counts_metric);
  EXPECT_EQ(m.stream, "*");
  EXPECT_EQ(m.group_by, (std::vector<std::string>{"_stream"}));
  EXPECT_EQ(m.event_time, "_timestamp");
  EXPECT_EQ(m.window.size_ms, 10000);
  EXPECT_TRUE(m.builtin);
  EXPECT_TRUE(freshet::aggregate::plan_metric(m).ok());
}

TEST(metrics_spec, the_example_pipeline_declares_valid_metrics) {
  auto spec = load_pipeline_spec(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml");
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  auto metrics = load_metrics_spec(*spec);
  ASSERT_TRUE(metrics.ok()) << metrics.err().message;
  EXPECT_GE(metrics->metrics.size(), 5u);
  for (const auto& m : metrics->metrics) {
    auto plan = freshet::aggregate::plan_metric(m);
    EXPECT_TRUE(plan.ok()) << m.name << ": " << (plan ? "" : plan.err().message);
  }
  bool tumbling = false, hopping = false, session = false;
  for (const auto& m : metrics->metrics) {
    tumbling = tumbling || m.window.type == window_type::tumbling;
    hopping = hopping || m.window.type == window_type::hopping;
    session = session || m.window.type == window_type::session;
  }
  EXPECT_TRUE(tumbling && hopping && session);
}
