// The enrichment batch step over stand-in tables: derived fields, the three miss policies, what is
// kept of each record, quarantine headers, retries, and the metrics it reports.
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include <gtest/gtest.h>

#include "common/event/json_codec.hpp"
#include "services/enrich/enrich_probe.hpp"
#include "services/enrich/enricher.hpp"
#include "services/enrich/reference_table.hpp"
#include "tests/unit/enrich/spec_fixture.hpp"

namespace freshet::enrich {
namespace {

using json = nlohmann::json;

/// A table in memory; counts lookups and can fail like an unreachable store.
class fake_table final : public table_source {
 public:
  explicit fake_table(std::string name) : name_(std::move(name)) {}

  void add(const std::string& key, const std::string& row_json) {
    rows[key] = *event::decode_json(row_json);
  }

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] result<row_ptr> find(const std::string& key) override {
    ++finds;
    if (fail)
      return make_error(error_domain::redis, 2, "connection refused", true);
    auto it = rows.find(key);
    if (it == rows.end())
      return row_ptr{};
    return row_ptr{std::make_shared<const event::record>(it->second)};
  }
  [[nodiscard]] status prefetch(const std::vector<std::string>& keys) override {
    prefetched.push_back(keys);
    if (fail)
      return make_error(error_domain::redis, 2, "connection refused", true);
    return {};
  }

  std::map<std::string, event::record> rows;
  int finds = 0;
  bool fail = false;
  std::vector<std::vector<std::string>> prefetched;

 private:
  std::string name_;
};

kafka::consumed_record event_record(const std::string& stream, const std::string& value, int64_t offset = 41) {
  kafka::consumed_record r;
  r.topic = "events.valid";
  r.partition = 2;
  r.offset = offset;
  r.timestamp_ms = 1'700'000'000'123;
  r.key = "u1";
  r.value = value;
  r.headers = {{kafka::headers::stream, stream},
               {kafka::headers::event_id, "ev-" + std::to_string(offset)},
               {kafka::headers::ingest_ts, "1700000000999"}};
  return r;
}

std::string header(const kafka::outgoing_record& r, const std::string& key) {
  for (const auto& h : r.headers)
    if (h.key == key)
      return h.value;
  return "<absent>";
}

struct harness {
  std::shared_ptr<fake_table> users = std::make_shared<fake_table>("users");
  std::shared_ptr<fake_table> fx = std::make_shared<fake_table>("fx_rates");
  std::shared_ptr<reference_table> geo;
  prometheus::Registry registry;
  enrich_probe probe{registry};
  std::unique_ptr<enricher> e;

  explicit harness(const std::string& enrichments_yaml, bool with_geo = false) {
    users->add("u1", R"({"user_id":"u1","country":"DE","segment":"vip"})");
    fx->add("EUR", R"({"currency":"EUR","usd_rate":"1.5"})"); // text, as a Redis hash holds it
    table_set tables;
    tables.by_name = {{"users", users}, {"fx_rates", fx}};
    if (with_geo) {
      geo = std::make_shared<reference_table>("geo", config::ip_range_columns{"network", "", ""},
                                              state::make_memory_store());
      EXPECT_TRUE(geo->reset("fp", 0).ok());
      auto applied = geo->apply({{"10.0.0.0/8", R"({"network":"10.0.0.0/8","country":"US"})"},
                                 {"10.20.0.0/16", R"({"network":"10.20.0.0/16","country":"GB"})"}},
                                {{0, 2}}, 0);
      EXPECT_TRUE(applied.ok());
      geo->mark_caught_up();
      tables.by_name["geo"] = geo;
      tables.reference["geo"] = geo;
    }
    enricher_options opts;
    opts.enriched_topic = "events.enriched";
    opts.quarantine_topic = "events.quarantine";
    opts.ready_wait_ms = 10;
    opts.retry_backoff_ms = 0;
    auto spec = testing::parse_ok(enrichments_yaml);
    auto made = enricher::create(spec, std::move(tables), opts, &probe);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.err().describe());
    if (made.ok())
      e = std::move(*made);
  }

  std::vector<kafka::outgoing_record> run(const std::vector<kafka::consumed_record>& batch) {
    auto out = e->process(batch);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.err().describe());
    return out.ok() ? *out : std::vector<kafka::outgoing_record>{};
  }

  double metric(const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& family : registry.Collect()) {
      if (family.name != name)
        continue;
      for (const auto& m : family.metric) {
        bool match = true;
        for (const auto& [k, v] : labels) {
          bool found = false;
          for (const auto& l : m.label)
            found = found || (l.name == k && l.value == v);
          match = match && found;
        }
        if (match)
          return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
    return -1;
  }
};

const std::string tables_yaml = R"(
  tables:
    - {name: users, key: user_id}
    - {name: fx_rates, key: currency}
  functions:
    fx: {table: fx_rates, field: usd_rate}
)";

TEST(enricher, derives_every_kind_of_field_and_keeps_key_time_and_headers) {
  harness h{tables_yaml + R"(
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country, segment]}}
    - {name: device_class, device_class: {user_agent: user_agent}}
    - {name: amount_usd, expression: "amount * fx(currency) "}
    - {name: vip_amount, expression: "coalesce(amount, 0) * 2"}
)"};
  auto in = event_record("purchase", R"({"user_id":"u1","ts":1700000000000,"amount":10,"currency":"EUR",)"
                                     R"("user_agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148"})");
  auto out = h.run({in});
  ASSERT_EQ(out.size(), 1u);
  const auto& r = out[0];
  EXPECT_EQ(r.topic, "events.enriched");
  EXPECT_EQ(r.key, in.key);
  EXPECT_EQ(r.timestamp_ms, in.timestamp_ms);
  ASSERT_EQ(r.headers.size(), in.headers.size());
  for (size_t i = 0; i < in.headers.size(); ++i) {
    EXPECT_EQ(r.headers[i].key, in.headers[i].key);
    EXPECT_EQ(r.headers[i].value, in.headers[i].value);
  }
  auto doc = json::parse(r.value);
  EXPECT_EQ(doc["ts"], 1700000000000) << "event time is kept";
  EXPECT_EQ(doc["amount"], 10);
  EXPECT_EQ(doc["user"]["country"], "DE");
  EXPECT_EQ(doc["user"]["segment"], "vip");
  EXPECT_EQ(doc["device_class"], "mobile");
  EXPECT_DOUBLE_EQ(doc["amount_usd"].get<double>(), 15.0) << "numeric text from the table is a number";
  EXPECT_EQ(doc["vip_amount"], 20);
  EXPECT_EQ(h.metric("freshet_enrich_events_enriched_total", {}), 1);
  EXPECT_EQ(h.metric("freshet_enrich_lookups_total", {{"table", "users"}, {"outcome", "hit"}}), 1);
}

TEST(enricher, miss_policy_null_and_default) {
  harness h{tables_yaml + R"(
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country, segment]}}
    - name: who
      lookup: {table: users, key: user_id, fields: [country, segment]}
      on_miss: default
      default: {country: unknown}
    - {name: rate, lookup: {table: fx_rates, key: currency, field: usd_rate}, on_miss: default, default: 1}
)"};
  auto out = h.run({event_record("page_view", R"({"user_id":"nobody","currency":"XXX"})")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "events.enriched");
  auto doc = json::parse(out[0].value);
  EXPECT_TRUE(doc["user"]["country"].is_null());
  EXPECT_TRUE(doc["user"]["segment"].is_null());
  EXPECT_EQ(doc["who"]["country"], "unknown");
  EXPECT_TRUE(doc["who"]["segment"].is_null()) << "columns without a default are null";
  EXPECT_EQ(doc["rate"], 1);
  EXPECT_EQ(h.metric("freshet_enrich_derived_misses_total", {{"field", "user"}, {"policy", "null"}}), 1);
  EXPECT_EQ(h.metric("freshet_enrich_derived_misses_total", {{"field", "who"}, {"policy", "default"}}), 1);
  EXPECT_EQ(h.metric("freshet_enrich_lookups_total", {{"table", "users"}, {"outcome", "miss"}}), 2);
  EXPECT_EQ(h.users->finds, 1) << "one lookup per (table, key) and batch";
}

TEST(enricher, miss_policy_quarantine_sends_the_original_record_with_reasons) {
  harness h{tables_yaml + R"(
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [country]}, on_miss: quarantine}
)"};
  auto good = event_record("page_view", R"({"user_id":"u1"})", 40);
  auto bad = event_record("page_view", R"({"user_id":"ghost", "n": 1})", 41);
  auto out = h.run({good, bad});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "events.enriched");
  const auto& q = out[1];
  EXPECT_EQ(q.topic, "events.quarantine");
  EXPECT_EQ(q.value, bad.value) << "the original bytes, untouched";
  EXPECT_EQ(q.key, bad.key);
  EXPECT_EQ(q.timestamp_ms, bad.timestamp_ms);
  EXPECT_EQ(header(q, kafka::headers::reason), "lookup_miss");
  EXPECT_NE(header(q, kafka::headers::message).find("ghost"), std::string::npos) << header(q, kafka::headers::message);
  EXPECT_EQ(header(q, kafka::headers::stage), "enrich");
  EXPECT_EQ(header(q, kafka::headers::source_topic), "events.valid");
  EXPECT_EQ(header(q, kafka::headers::source_partition), "2");
  EXPECT_EQ(header(q, kafka::headers::source_offset), "41");
  EXPECT_EQ(header(q, kafka::headers::event_id), "ev-41") << "the original headers stay";
  EXPECT_EQ(header(q, kafka::headers::stream), "page_view");
  EXPECT_EQ(h.metric("freshet_enrich_events_quarantined_total", {{"reason", "lookup_miss"}}), 1);
  EXPECT_EQ(h.metric("freshet_enrich_derived_misses_total", {{"field", "user"}, {"policy", "quarantine"}}), 1);
}

TEST(enricher, a_quarantined_record_replaces_stale_reason_headers) {
  harness h{tables_yaml + R"(
  fields: [{name: user, lookup: {table: users, key: user_id, field: country}, on_miss: quarantine}]
)"};
  auto in = event_record("page_view", R"({"user_id":"ghost"})");
  in.headers.push_back({kafka::headers::reason, "old_reason"}); // e.g. readmitted from quarantine before
  auto out = h.run({in});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(header(out[0], kafka::headers::reason), "lookup_miss");
  int reasons = 0;
  for (const auto& hd : out[0].headers)
    reasons += hd.key == kafka::headers::reason;
  EXPECT_EQ(reasons, 1);
}

TEST(enricher, an_absent_input_is_null_not_a_miss_even_under_quarantine) {
  harness h{tables_yaml + R"(
  fields:
    - {name: user, lookup: {table: users, key: user_id, field: country}, on_miss: quarantine}
    - {name: usd, expression: "amount * fx(currency) ", on_miss: quarantine}
    - {name: device_class, device_class: {user_agent: user_agent}}
)"};
  auto out = h.run({event_record("page_view", R"({"user_id":null,"user_agent":""})")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "events.enriched");
  auto doc = json::parse(out[0].value);
  EXPECT_TRUE(doc["user"].is_null());
  EXPECT_TRUE(doc["usd"].is_null());
  EXPECT_TRUE(doc["device_class"].is_null());
  EXPECT_EQ(h.users->finds, 0);
}

TEST(enricher, an_expression_miss_follows_the_fields_policy) {
  harness h{tables_yaml + R"(
  fields: [{name: usd, expression: "amount * fx(currency) ", on_miss: quarantine}]
)"};
  auto out = h.run({event_record("purchase", R"({"amount":3,"currency":"XXX"})")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "events.quarantine");
  EXPECT_NE(header(out[0], kafka::headers::message).find("no row in fx_rates for XXX"), std::string::npos)
    << header(out[0], kafka::headers::message);
}

TEST(enricher, undecodable_records_are_quarantined_never_dropped) {
  harness h{tables_yaml + R"(
  fields: [{name: user, lookup: {table: users, key: user_id, field: country}}]
)"};
  auto broken = event_record("page_view", "{not json");
  auto array = event_record("page_view", "[1,2]");
  auto tomb = event_record("page_view", "");
  tomb.tombstone = true;
  auto out = h.run({broken, array, tomb});
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].topic, "events.quarantine");
    EXPECT_EQ(header(out[i], kafka::headers::reason), "undecodable");
  }
  EXPECT_EQ(out[0].value, "{not json");
  EXPECT_TRUE(out[2].tombstone);
  EXPECT_EQ(h.metric("freshet_enrich_events_quarantined_total", {{"reason", "undecodable"}}), 3);
}

TEST(enricher, a_field_in_a_derived_paths_way_is_quarantined_not_clobbered) {
  harness h{tables_yaml + R"(
  fields: [{name: user, lookup: {table: users, key: user_id, fields: [country]}}]
)"};
  auto out = h.run({event_record("page_view", R"({"user_id":"u1","user":"a string"})")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "events.quarantine");
  EXPECT_EQ(header(out[0], kafka::headers::reason), "field_conflict");
}

TEST(enricher, fields_apply_to_their_streams_only_and_may_build_on_earlier_ones) {
  harness h{tables_yaml + R"(
  fields:
    - {name: user, lookup: {table: users, key: user_id, fields: [segment]}}
    - {name: is_vip, expression: "coalesce(user.segment, 'none') ", type: string}
    - {name: usd, expression: "amount * fx(currency) ", streams: [purchase]}
)"};
  auto out = h.run({event_record("page_view", R"({"user_id":"u1","amount":1,"currency":"EUR"})"),
                    event_record("purchase", R"({"user_id":"u1","amount":1,"currency":"EUR"})"),
                    event_record("", R"({"user_id":"u1","amount":1,"currency":"EUR"})")});
  ASSERT_EQ(out.size(), 3u);
  auto pv = json::parse(out[0].value);
  EXPECT_FALSE(pv.contains("usd"));
  EXPECT_EQ(pv["is_vip"], "vip");
  EXPECT_TRUE(json::parse(out[1].value).contains("usd"));
  EXPECT_FALSE(json::parse(out[2].value).contains("usd")) << "no stream header: only unfiltered fields";
}

TEST(enricher, a_failing_lookup_makes_the_batch_retriable_and_emits_nothing) {
  harness h{tables_yaml + R"(
  fields: [{name: user, lookup: {table: users, key: user_id, field: country}}]
)"};
  h.users->fail = true;
  auto out = h.e->process({event_record("page_view", R"({"user_id":"u1"})")});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.err().retriable);
  EXPECT_EQ(h.metric("freshet_enrich_batch_retries_total", {{"reason", "lookup_error"}}), 1);
  h.users->fail = false;
  auto again = h.run({event_record("page_view", R"({"user_id":"u1"})")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(json::parse(again[0].value)["user"], "DE");
}

TEST(enricher, cached_tables_are_prefetched_once_per_batch) {
  harness h{tables_yaml + R"(
  fields: [{name: user, lookup: {table: users, key: user_id, field: country}, streams: [page_view]}]
)"};
  h.run({event_record("page_view", R"({"user_id":"u1"})"), event_record("page_view", R"({"user_id":"u2"})"),
         event_record("purchase", R"({"user_id":"u3"})"), event_record("page_view", R"({"user_id":null})")});
  ASSERT_EQ(h.users->prefetched.size(), 1u);
  EXPECT_EQ(h.users->prefetched[0], (std::vector<std::string>{"u1", "u2"}));
  ASSERT_EQ(h.fx->prefetched.size(), 1u) << "every cached table starts the batch";
  EXPECT_TRUE(h.fx->prefetched[0].empty());
}

TEST(enricher, ip_ranges_resolve_to_the_most_specific_network) {
  harness h{R"(
  tables: [{name: geo, key: network, ip_ranges: {cidr: network}}]
  fields:
    - {name: geo, ip_lookup: {table: geo, ip: ip, fields: [country]}, on_miss: default, default: {country: ZZ}}
)",
            /*with_geo=*/true};
  auto out = h.run({event_record("page_view", R"({"ip":"10.1.1.1"})"), event_record("page_view", R"({"ip":"10.20.0.9"})"),
                    event_record("page_view", R"({"ip":"192.0.2.1"})"), event_record("page_view", R"({"ip":"garbage"})")});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(json::parse(out[0].value)["geo"]["country"], "US");
  EXPECT_EQ(json::parse(out[1].value)["geo"]["country"], "GB");
  EXPECT_EQ(json::parse(out[2].value)["geo"]["country"], "ZZ");
  EXPECT_EQ(json::parse(out[3].value)["geo"]["country"], "ZZ") << "text that is no address is a miss";
  EXPECT_EQ(h.metric("freshet_enrich_lookups_total", {{"table", "geo"}, {"outcome", "hit"}}), 2);
}

TEST(enricher, waits_for_reference_tables_to_catch_up) {
  table_set tables;
  auto dim = std::make_shared<reference_table>("users", std::nullopt, state::make_memory_store());
  ASSERT_TRUE(dim->reset("fp", 0).ok());
  ASSERT_TRUE(dim->apply({{"u1", R"({"user_id":"u1","country":"FR"})"}}, {{0, 1}}, 0).ok());
  tables.by_name["users"] = dim;
  tables.reference["users"] = dim;
  enricher_options opts;
  opts.enriched_topic = "e";
  opts.quarantine_topic = "q";
  opts.ready_wait_ms = 10;
  auto e = enricher::create(testing::parse_ok(R"(
  tables: [{name: users, key: user_id}]
  fields: [{name: user, lookup: {table: users, key: user_id, field: country}}]
)"),
                            tables, opts, nullptr);
  ASSERT_TRUE(e.ok()) << e.err().describe();
  auto batch = std::vector<kafka::consumed_record>{event_record("page_view", R"({"user_id":"u1"})")};
  auto early = (*e)->process(batch);
  ASSERT_FALSE(early.ok());
  EXPECT_TRUE(early.err().retriable);
  EXPECT_NE(early.err().message.find("catching up"), std::string::npos);
  dim->mark_caught_up();
  auto later = (*e)->process(batch);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(json::parse((*later)[0].value)["user"], "FR");
}

TEST(enricher, stamps_the_registered_enriched_schema_id) {
  harness h{tables_yaml + R"(
  fields: [{name: device_class, device_class: {user_agent: user_agent}}]
)"};
  h.e->set_schema_ids({{"page_view", 42}});
  auto in = event_record("page_view", R"({"user_agent":"curl/8.0"})");
  in.headers.push_back({kafka::headers::schema_id, "7"});
  auto out = h.run({in, event_record("purchase", R"({})")});
  EXPECT_EQ(header(out[0], kafka::headers::schema_id), "42");
  EXPECT_EQ(header(out[1], kafka::headers::schema_id), "<absent>");
  EXPECT_EQ(json::parse(out[0].value)["device_class"], "bot");
}

TEST(enricher, rejects_bad_expressions_and_functions_that_hide_builtins) {
  table_set tables;
  tables.by_name["fx_rates"] = std::make_shared<fake_table>("fx_rates");
  auto bad_expr = enricher::create(testing::parse_ok(R"(
  tables: [{name: fx_rates, key: currency}]
  fields: [{name: x, expression: "amount * rate(currency) "}]
)"),
                                   tables, {}, nullptr);
  ASSERT_FALSE(bad_expr.ok());
  EXPECT_NE(bad_expr.err().message.find("field x: expression"), std::string::npos) << bad_expr.err().message;
  auto hiding = enricher::create(testing::parse_ok(R"(
  tables: [{name: fx_rates, key: currency}]
  functions: {round: {table: fx_rates, field: rate}}
  fields: [{name: x, expression: "round(1) "}]
)"),
                                 tables, {}, nullptr);
  ASSERT_FALSE(hiding.ok());
  EXPECT_NE(hiding.err().message.find("builtin"), std::string::npos);
}

} // namespace
} // namespace freshet::enrich
