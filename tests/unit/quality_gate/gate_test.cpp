// The gate's batch step: where each event goes, with which headers and metrics; the dedupe seam;
// and the builders readmit uses.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "services/quality-gate/gate.hpp"
#include "services/quality-gate/readmit.hpp"
#include "tests/unit/quality_gate/fixtures.hpp"

namespace {

using namespace freshet::quality_gate;
using freshet::kafka::consumed_record;
using freshet::kafka::outgoing_record;
using qg_test::header;
using qg_test::raw;

constexpr int64_t now = 1'700'000'000'000;

const std::vector<std::string> order_expectations{
  "{name: has_user, not_null: user_id}",
  "{name: amount_range, range: {field: amount, min: 0, max: 100}}",
  "{name: currency_known, in_set: {field: currency, values: [EUR, JPY]}}",
  R"({name: whole_yen, rule: 'currency != "JPY" || amount == floor(amount)', severity: warn})",
};

/// A gate over `orders` with the expectations above (plus `extra`), a probe, and a fixed clock.
struct fixture {
  freshet::config::pipeline_spec pipeline = qg_test::pipeline();
  freshet::config::expectations_spec spec;
  std::unique_ptr<expectation_set> set;
  prometheus::Registry registry;
  quality_probe probe{registry};
  std::unique_ptr<gate> g;

  explicit fixture(std::vector<std::string> items = order_expectations) {
    auto parsed = freshet::config::parse_expectations_spec(
      "expectations:\n" + qg_test::stream_section("orders", items), pipeline);
    EXPECT_TRUE(parsed.ok()) << parsed.err().describe();
    spec = *parsed;
    auto compiled = expectation_set::compile(pipeline, spec);
    EXPECT_TRUE(compiled.ok()) << compiled.err().describe();
    set = std::make_unique<expectation_set>(std::move(*compiled));
    g = std::make_unique<gate>(*set, gate_topics{"t.valid", "t.quarantine"}, [] { return now; });
    g->attach(&probe, nullptr, nullptr);
  }

  std::vector<outgoing_record> run(const std::vector<consumed_record>& batch) {
    auto out = g->process(batch);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : std::vector<outgoing_record>{};
  }

  /// The value of a counter by its labels (0 when absent).
  double counter(const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& family : registry.Collect()) {
      if (family.name != name)
        continue;
      for (const auto& m : family.metric) {
        std::map<std::string, std::string> have;
        for (const auto& l : m.label)
          have[l.name] = l.value;
        if (have == labels)
          return m.counter.value;
      }
    }
    return 0;
  }
};

/// Remembers ids in memory and records every call, as the changelog-backed step will.
class fake_dedupe final : public dedupe_step {
 public:
  freshet::result<bool> seen(const dedupe_key& k) override {
    ++seen_calls;
    if (fail_next) {
      fail_next = false;
      return freshet::make_error(freshet::error_domain::kafka, 1, "state unavailable", true);
    }
    last_window = k.window_ms;
    last_at = k.at_ms;
    return ids.count(std::string{k.id}) > 0;
  }
  void remember(const dedupe_key& k) override { ids.insert(std::string{k.id}); }

  std::set<std::string> ids;
  int seen_calls = 0;
  bool fail_next = false;
  int64_t last_window = 0;
  int64_t last_at = 0;
};

consumed_record order(const std::string& json, int64_t offset, const std::string& event_id = "") {
  std::vector<freshet::kafka::header> extra{{"freshet.ingest_ts", std::to_string(now - 5)}};
  if (!event_id.empty())
    extra.push_back({"freshet.event_id", event_id});
  return raw("orders", json, offset, extra);
}

} // namespace

TEST(gate, passing_events_go_to_valid_unchanged) {
  fixture f;
  auto in = order(R"({"user_id": "u1", "amount": 10, "currency": "EUR"})", 1, "e1");
  auto out = f.run({in});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "t.valid");
  EXPECT_EQ(out[0].key, in.key);
  EXPECT_EQ(out[0].value, in.value);
  EXPECT_EQ(out[0].timestamp_ms, in.timestamp_ms);
  ASSERT_EQ(out[0].headers.size(), in.headers.size());
  for (size_t i = 0; i < in.headers.size(); ++i) {
    EXPECT_EQ(out[0].headers[i].key, in.headers[i].key);
    EXPECT_EQ(out[0].headers[i].value, in.headers[i].value);
  }
}

TEST(gate, a_failing_event_is_quarantined_with_every_failure_named) {
  fixture f;
  auto in = order(R"({"amount": -3, "currency": "USD"})", 42, "e2");
  in.headers.push_back({"freshet.schema_id", "17"});
  auto out = f.run({in});
  ASSERT_EQ(out.size(), 1u);
  const auto& q = out[0];
  EXPECT_EQ(q.topic, "t.quarantine");
  EXPECT_EQ(q.key, in.key);     // original key...
  EXPECT_EQ(q.value, in.value); // ...and bytes
  EXPECT_EQ(q.timestamp_ms, in.timestamp_ms);
  EXPECT_EQ(*header(q, "freshet.failed_expectations"), "has_user,amount_range,currency_known");
  EXPECT_EQ(*header(q, "freshet.reason"), "not_null,range,in_set");
  EXPECT_EQ(*header(q, "freshet.stage"), "quality-gate");
  EXPECT_EQ(*header(q, "freshet.source_topic"), "t.raw");
  EXPECT_EQ(*header(q, "freshet.source_partition"), "3");
  EXPECT_EQ(*header(q, "freshet.source_offset"), "42");
  EXPECT_EQ(*header(q, "freshet.stream"), "orders");
  EXPECT_EQ(*header(q, "freshet.event_id"), "e2");
  EXPECT_EQ(*header(q, "freshet.schema_id"), "17");
  EXPECT_EQ(qg_test::header_count(q, "freshet.schema_id"), 1);
  const auto& msg = *header(q, "freshet.message");
  EXPECT_MENTIONS(msg, "has_user: user_id is missing");
  EXPECT_MENTIONS(msg, "amount_range: amount = -3 is below the minimum 0");
  EXPECT_MENTIONS(msg, "currency_known: currency = \"USD\" is not one of EUR, JPY");
}

TEST(gate, warn_severity_passes_and_is_named_on_the_valid_event) {
  fixture f;
  auto out = f.run({order(R"({"user_id": "u", "amount": 9.5, "currency": "JPY"})", 1)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "t.valid");
  EXPECT_EQ(*header(out[0], "freshet.warnings"), "whole_yen");
  // Warn failures ride along on a quarantined event too.
  out = f.run({order(R"({"amount": 9.5, "currency": "JPY"})", 2)});
  EXPECT_EQ(out[0].topic, "t.quarantine");
  EXPECT_EQ(*header(out[0], "freshet.failed_expectations"), "has_user");
  EXPECT_EQ(*header(out[0], "freshet.warnings"), "whole_yen");
}

TEST(gate, undecodable_and_unknown_events_are_quarantined_never_dropped) {
  fixture f;
  consumed_record no_header = raw("", R"({"user_id": "u"})", 1);
  consumed_record bad_json = raw("orders", "{not json", 2);
  consumed_record not_object = raw("orders", "[1, 2]", 3);
  consumed_record tombstone = raw("orders", "", 4);
  tombstone.tombstone = true;
  consumed_record unknown = raw("nope", R"({"user_id": "u"})", 5);
  consumed_record binary = raw("orders", std::string{"\0\0\0\0\x11\x02\xff", 7}, 6);
  auto out = f.run({no_header, bad_json, not_object, tombstone, unknown, binary});
  ASSERT_EQ(out.size(), 6u);
  for (const auto& q : out) {
    EXPECT_EQ(q.topic, "t.quarantine");
    EXPECT_EQ(*header(q, "freshet.failed_expectations"), "");
    EXPECT_NE(header(q, "freshet.source_offset"), nullptr);
  }
  EXPECT_EQ(*header(out[0], "freshet.reason"), "undecodable");
  EXPECT_MENTIONS(*header(out[0], "freshet.message"), "no freshet.stream header");
  EXPECT_EQ(*header(out[1], "freshet.reason"), "undecodable");
  EXPECT_MENTIONS(*header(out[1], "freshet.message"), "not valid JSON");
  EXPECT_MENTIONS(*header(out[2], "freshet.message"), "must be a JSON object");
  EXPECT_EQ(*header(out[3], "freshet.reason"), "undecodable");
  EXPECT_TRUE(out[3].tombstone);
  EXPECT_EQ(*header(out[4], "freshet.reason"), "unknown_stream");
  EXPECT_EQ(out[5].value, binary.value);
  EXPECT_EQ(*header(out[5], "freshet.schema_id"), "17"); // from the Confluent framing
}

TEST(gate, a_stream_without_expectations_passes_everything_decodable) {
  fixture f;
  auto out = f.run({raw("clicks", R"({"anything": null})", 1), raw("clicks", "nope", 2)});
  EXPECT_EQ(out[0].topic, "t.valid");
  EXPECT_EQ(out[1].topic, "t.quarantine");
}

TEST(gate, headers_a_producer_forged_are_replaced_not_duplicated) {
  fixture f;
  auto in = order(R"({"amount": -1, "user_id": "u"})", 9);
  in.headers.push_back({"freshet.reason", "forged"});
  in.headers.push_back({"freshet.source_offset", "999"});
  auto q = f.run({in})[0];
  EXPECT_EQ(qg_test::header_count(q, "freshet.reason"), 1);
  EXPECT_EQ(*header(q, "freshet.reason"), "range");
  EXPECT_EQ(qg_test::header_count(q, "freshet.source_offset"), 1);
  EXPECT_EQ(*header(q, "freshet.source_offset"), "9");
}

TEST(gate, outputs_keep_input_order_and_metrics_count_each_expectation) {
  fixture f;
  auto out = f.run({order(R"({"user_id": "a", "amount": 1, "currency": "EUR"})", 1),
                    order(R"({"user_id": "b", "amount": 1000, "currency": "EUR"})", 2),
                    order(R"({"user_id": "c", "amount": 1.5, "currency": "JPY"})", 3),
                    raw("orders", "{", 4)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].topic, "t.valid");
  EXPECT_EQ(out[1].topic, "t.quarantine");
  EXPECT_EQ(out[2].topic, "t.valid");
  EXPECT_EQ(out[3].topic, "t.quarantine");
  const std::string results = "freshet_quality_expectation_results_total";
  EXPECT_EQ(f.counter(results, {{"stream", "orders"}, {"expectation", "amount_range"}, {"outcome", "pass"}}), 2);
  EXPECT_EQ(f.counter(results, {{"stream", "orders"}, {"expectation", "amount_range"}, {"outcome", "quarantine"}}), 1);
  EXPECT_EQ(f.counter(results, {{"stream", "orders"}, {"expectation", "whole_yen"}, {"outcome", "warn"}}), 1);
  EXPECT_EQ(f.counter(results, {{"stream", "orders"}, {"expectation", "whole_yen"}, {"outcome", "pass"}}), 2);
  EXPECT_EQ(f.counter(results, {{"stream", "orders"}, {"expectation", "has_user"}, {"outcome", "pass"}}), 3);
  const std::string events = "freshet_quality_events_total";
  EXPECT_EQ(f.counter(events, {{"stream", "orders"}, {"outcome", "valid"}}), 2);
  EXPECT_EQ(f.counter(events, {{"stream", "orders"}, {"outcome", "quarantine"}}), 2);
  const std::string reasons = "freshet_quality_quarantine_reasons_total";
  EXPECT_EQ(f.counter(reasons, {{"stream", "orders"}, {"reason", "range"}}), 1);
  EXPECT_EQ(f.counter(reasons, {{"stream", "orders"}, {"reason", "undecodable"}}), 1);
  f.run({raw("", "{}", 5), raw("spam-" + std::string(100, 'x'), "{}", 6)});
  EXPECT_EQ(f.counter(events, {{"stream", "_unknown"}, {"outcome", "quarantine"}}), 2); // no label per bogus name
}

TEST(gate, dedupe_runs_first_and_remembers_only_what_passes) {
  fixture f{{"{name: has_user, not_null: user_id}", "{name: once, unique: event_id, dedupe_window: 1h}"}};
  fake_dedupe d;
  f.g->attach(&f.probe, nullptr, &d);
  auto out = f.run({order(R"({"user_id": "u"})", 1, "e1"),
                    order(R"({"user_id": "u"})", 2, "e1"),  // a client retry: dropped
                    order(R"({})", 3, "e2"),                // fails: quarantined, not remembered
                    order(R"({"user_id": "u"})", 4, "e2"),  // the fixed retry passes
                    order(R"({"user_id": "u"})", 5)});      // no id: nothing to check
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].topic, "t.valid");
  EXPECT_EQ(out[1].topic, "t.quarantine");
  EXPECT_EQ(out[2].topic, "t.valid");
  EXPECT_EQ(out[3].topic, "t.valid");
  EXPECT_EQ(d.ids, (std::set<std::string>{"e1", "e2"}));
  EXPECT_EQ(d.seen_calls, 4);
  EXPECT_EQ(d.last_window, 3'600'000);
  EXPECT_EQ(d.last_at, now - 5); // the receipt time, so a replay decides the same way
  EXPECT_EQ(f.counter("freshet_quality_events_total", {{"stream", "orders"}, {"outcome", "duplicate"}}), 1);
  EXPECT_EQ(f.counter("freshet_quality_expectation_results_total",
                      {{"stream", "orders"}, {"expectation", "once"}, {"outcome", "drop"}}),
            1);
}

TEST(gate, duplicates_can_be_quarantined_or_warned_instead) {
  fixture quarantine{{"{name: once, unique: event_id, dedupe_window: 1h, severity: quarantine}"}};
  fake_dedupe d1;
  quarantine.g->attach(&quarantine.probe, nullptr, &d1);
  auto out = quarantine.run({order("{}", 1, "x"), order("{}", 2, "x")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].topic, "t.quarantine");
  EXPECT_EQ(*header(out[1], "freshet.reason"), "unique");
  EXPECT_EQ(*header(out[1], "freshet.failed_expectations"), "once");

  fixture warn{{"{name: once, unique: event_id, dedupe_window: 1h, severity: warn}"}};
  fake_dedupe d2;
  warn.g->attach(&warn.probe, nullptr, &d2);
  out = warn.run({order("{}", 1, "x"), order("{}", 2, "x")});
  EXPECT_EQ(out[1].topic, "t.valid");
  EXPECT_EQ(*header(out[1], "freshet.warnings"), "once");
}

TEST(gate, a_failing_dedupe_step_fails_the_batch_for_a_retry) {
  fixture f{{"{name: once, unique: event_id, dedupe_window: 1h}"}};
  fake_dedupe d;
  d.fail_next = true;
  f.g->attach(&f.probe, nullptr, &d);
  auto out = f.g->process({order("{}", 1, "x")});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.err().retriable);
}

TEST(gate, decoded_events_feed_the_window_monitor) {
  fixture f{{"{name: rows, row_count: {min: 3}}"}};
  int64_t clock = 60'000 * 100 + 1; // mid-window: the first window is partial
  std::vector<window_result> judged;
  window_monitor m{f.spec, [&] { return clock; }, [&](const window_result& r) { judged.push_back(r); }};
  f.g->attach(&f.probe, &m, nullptr);
  clock = 60'000 * 101;
  f.run({order("{}", 1), order("{}", 2), raw("orders", "{", 3)}); // the undecodable one is not a row
  clock = 60'000 * 102;
  m.tick();
  ASSERT_EQ(judged.size(), 1u);
  EXPECT_EQ(judged[0].rows, 2);
  EXPECT_TRUE(judged[0].violated);
}

TEST(gate_readmit, a_still_failing_event_keeps_its_origin_and_counts_attempts) {
  fixture f;
  auto first = f.run({order(R"({"amount": -3})", 42, "e9")})[0];
  // As read back from the quarantine topic.
  consumed_record q{"t.quarantine", 1, 7, first.timestamp_ms, first.key, first.value, first.headers, false};
  EXPECT_TRUE(readmit_matches(q, {"orders", "", false}));
  EXPECT_TRUE(readmit_matches(q, {"", "amount_range", false}));
  EXPECT_TRUE(readmit_matches(q, {"", "range", false})); // reason codes match too
  EXPECT_FALSE(readmit_matches(q, {"clicks", "", false}));
  EXPECT_FALSE(readmit_matches(q, {"", "amount", false}));
  EXPECT_FALSE(readmit_matches(q, {"", "currency_known", false}));

  auto v = f.g->judge(q);
  ASSERT_EQ(v.to, verdict::route::quarantine);
  auto again = f.g->to_quarantine(q, v, 2);
  EXPECT_EQ(*header(again, "freshet.source_topic"), "t.raw"); // the original position, not the quarantine's
  EXPECT_EQ(*header(again, "freshet.source_offset"), "42");
  EXPECT_EQ(qg_test::header_count(again, "freshet.source_offset"), 1);
  EXPECT_EQ(*header(again, "freshet.readmit_count"), "2");
  EXPECT_EQ(qg_test::header_count(again, "freshet.reason"), 1);
  EXPECT_EQ(again.value, q.value);
}

TEST(gate_readmit, a_passing_event_goes_to_valid_without_the_quarantine_headers) {
  fixture strict;
  auto q_out = strict.run({order(R"({"user_id": "u", "amount": 500})", 42, "e9")})[0];
  consumed_record q{"t.quarantine", 0, 3, q_out.timestamp_ms, q_out.key, q_out.value, q_out.headers, false};
  fixture relaxed{{"{name: amount_range, range: {field: amount, min: 0, max: 1000}}"}};
  auto v = relaxed.g->judge(q);
  ASSERT_EQ(v.to, verdict::route::valid);
  auto valid = relaxed.g->to_valid(q, v, "t.quarantine/0/3");
  EXPECT_EQ(valid.topic, "t.valid");
  EXPECT_EQ(valid.value, q.value);
  EXPECT_EQ(valid.key, q.key);
  for (const char* gone : {"freshet.reason", "freshet.message", "freshet.stage", "freshet.failed_expectations",
                           "freshet.source_topic", "freshet.source_partition", "freshet.source_offset"})
    EXPECT_EQ(header(valid, gone), nullptr) << gone;
  EXPECT_EQ(*header(valid, "freshet.readmitted_from"), "t.quarantine/0/3");
  EXPECT_EQ(*header(valid, "freshet.event_id"), "e9");
  EXPECT_EQ(*header(valid, "freshet.ingest_ts"), std::to_string(now - 5));
}
