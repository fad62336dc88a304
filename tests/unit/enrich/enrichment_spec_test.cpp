// The `enrichments:` section of the pipeline spec: the example, the format's rules and its errors.
#include <gtest/gtest.h>

#include "tests/unit/enrich/spec_fixture.hpp"

namespace freshet::enrich {
namespace {

using config::derivation_kind;
using config::miss_policy;

std::string error_of(const std::string& yaml) {
  auto s = testing::parse(yaml);
  EXPECT_FALSE(s.ok()) << yaml;
  return s.ok() ? "" : s.err().message;
}

#define EXPECT_MENTIONS(text, needle) EXPECT_NE((text).find(needle), std::string::npos) << (text)

TEST(enrichment_spec, the_clickstream_example_parses) {
  auto pipeline = config::load_pipeline_spec(testing::example_dir + "/pipeline.yaml");
  ASSERT_TRUE(pipeline.ok()) << pipeline.err().describe();
  auto spec = config::load_enrichment_spec(*pipeline);
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  ASSERT_NE(spec->table("users"), nullptr);
  EXPECT_EQ(spec->table("users")->topic, "dim.users");
  EXPECT_EQ(spec->table("users")->key_field, "user_id");
  EXPECT_EQ(spec->table("users")->schema_file, testing::example_dir + "/schemas/user.avsc");
  EXPECT_TRUE(spec->table("geo_ip")->ip_ranges.has_value());
  EXPECT_TRUE(spec->table("customers")->is_redis());
  EXPECT_EQ(spec->table("customers")->redis->key_prefix, "crm:customer:");
  for (const auto& t : spec->tables) {
    if (!t.is_redis()) {
      EXPECT_NE(pipeline->topic("dim_" + t.name), nullptr) << "the example declares the topic of " << t.name;
    }
  }
  ASSERT_EQ(spec->functions.size(), 1u);
  EXPECT_EQ(spec->functions[0].name, "fx");
  ASSERT_GE(spec->fields.size(), 4u);
  EXPECT_EQ(spec->fields[0].outputs(), (std::vector<std::string>{"user.country", "user.segment"}));
  EXPECT_EQ(spec->fields[0].on_miss, miss_policy::use_default);
  EXPECT_EQ(spec->fields[0].defaults.at("country"), config::literal{std::string{"unknown"}});
}

TEST(enrichment_spec, no_section_is_an_empty_spec) {
  auto s = config::parse_enrichment_spec("pipeline: x\n", testing::test_pipeline());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST(enrichment_spec, every_kind_of_derived_field) {
  auto s = testing::parse_ok(R"(
  tables:
    - {name: users, key: user_id}
    - {name: geo, key: net, topic: custom.geo, ip_ranges: {first: lo, last: hi}}
    - {name: crm, redis: {key_prefix: "c:", cache_entries: 5, ttl_ms: 10, miss_ttl_ms: 0}}
  functions:
    fx: {table: users, field: rate}
  fields:
    - {name: country, lookup: {table: users, key: user_id, field: country}, on_miss: quarantine}
    - {name: geo, ip_lookup: {table: geo, ip: ip, fields: [country, city]}, streams: [page_view]}
    - {name: device, device_class: {user_agent: user_agent}}
    - {name: usd, expression: "amount * fx(currency) ", type: double, on_miss: default, default: 0}
    - {name: tier, lookup: {table: crm, key: user_id, field: tier}, on_miss: null}
)");
  EXPECT_EQ(s.table("users")->topic, "dim.the_users") << "the topic with role dim_<name>";
  EXPECT_EQ(s.table("geo")->topic, "custom.geo");
  EXPECT_EQ(s.table("geo")->ip_ranges->first, "lo");
  EXPECT_EQ(s.table("crm")->redis->cache_entries, 5u);
  EXPECT_EQ(s.table("crm")->redis->miss_ttl_ms, 0);
  ASSERT_EQ(s.fields.size(), 5u);
  EXPECT_EQ(s.fields[0].kind, derivation_kind::lookup);
  EXPECT_EQ(s.fields[0].outputs(), std::vector<std::string>{"country"});
  EXPECT_EQ(s.fields[0].on_miss, miss_policy::quarantine);
  EXPECT_EQ(s.fields[1].kind, derivation_kind::ip_lookup);
  EXPECT_TRUE(s.fields[1].applies_to("page_view"));
  EXPECT_FALSE(s.fields[1].applies_to("purchase"));
  EXPECT_TRUE(s.fields[2].applies_to("purchase"));
  EXPECT_EQ(s.fields[2].kind, derivation_kind::device_class);
  EXPECT_EQ(s.fields[3].kind, derivation_kind::expression);
  EXPECT_EQ(s.fields[3].defaults.at(""), config::literal{int64_t{0}});
  EXPECT_EQ(s.fields[4].on_miss, miss_policy::null);
}

TEST(enrichment_spec, defaults_are_typed_like_yaml_reads_them) {
  auto s = testing::parse_ok(R"(
  tables: [{name: users, key: user_id}]
  fields:
    - name: u
      lookup: {table: users, key: user_id, fields: [a, b, c, d, e, f, g]}
      on_miss: default
      default: {a: 1, b: 1.5, c: true, d: "1", e: unknown, f: null, g: ~}
)");
  const auto& d = s.fields[0].defaults;
  EXPECT_EQ(d.at("a"), config::literal{int64_t{1}});
  EXPECT_EQ(d.at("b"), config::literal{1.5});
  EXPECT_EQ(d.at("c"), config::literal{true});
  EXPECT_EQ(d.at("d"), config::literal{std::string{"1"}}) << "quoted scalars stay strings";
  EXPECT_EQ(d.at("e"), config::literal{std::string{"unknown"}});
  EXPECT_EQ(d.at("f"), config::literal{});
  EXPECT_EQ(d.at("g"), config::literal{});
}

TEST(enrichment_spec, mistakes_are_named) {
  EXPECT_MENTIONS(error_of("  bogus: 1\n"), "unknown key 'bogus'");
  EXPECT_MENTIONS(error_of("  tables: [{name: users}]\n"), "'key'");
  EXPECT_MENTIONS(error_of("  tables: [{name: 'a b', key: k}]\n"), "table name");
  EXPECT_MENTIONS(error_of("  tables: [{name: u, key: k}, {name: u, key: k}]\n"), "appears twice");
  EXPECT_MENTIONS(error_of("  tables: [{name: g, key: k, ip_ranges: {cidr: n, first: a, last: b}}]\n"),
                  "either 'cidr' or both");
  EXPECT_MENTIONS(error_of("  tables: [{name: g, key: k, ip_ranges: {first: a}}]\n"), "either 'cidr' or both");
  EXPECT_MENTIONS(error_of("  tables: [{name: r, redis: {key_prefix: x}, topic: t}]\n"), "no topic");
  EXPECT_MENTIONS(error_of("  tables: [{name: r, redis: {cache_entries: 0}}]\n"), "cache_entries");
  EXPECT_MENTIONS(error_of("  functions: {fx: {table: nope, field: rate}}\n"), "no table named 'nope'");
  const std::string users = "  tables: [{name: users, key: user_id}, {name: g, key: n, ip_ranges: {cidr: n}}]\n";
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, lookup: {table: nope, key: k, field: c}}]\n"), "no table named");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, lookup: {table: users, field: c}}]\n"), "'key'");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, lookup: {table: users, key: k}}]\n"), "either 'field'");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, lookup: {table: users, key: k, field: a, fields: [b]}}]\n"),
                  "either 'field'");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, ip_lookup: {table: users, ip: ip, field: c}}]\n"),
                  "declares no ip_ranges");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', device_class: {user_agent: ua}}]\n"),
                  "exactly one of");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x}]\n"), "exactly one of");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: '9x', expression: '1'}]\n"), "identifiers joined by dots");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: 'a..b', expression: '1'}]\n"), "identifiers joined by dots");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', streams: [nope]}]\n"), "no stream named 'nope'");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', on_miss: drop}]\n"), "on_miss must be");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', on_miss: default}]\n"), "needs a 'default'");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', default: 0}]\n"), "only with on_miss: default");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, device_class: {user_agent: ua}, on_miss: quarantine}]\n"),
                  "never misses");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: u, lookup: {table: users, key: k, fields: [a]}, "
                                   "on_miss: default, default: {b: 1}}]\n"),
                  "not among its fields");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: u, lookup: {table: users, key: k, fields: [a]}, "
                                   "on_miss: default, default: 1}]\n"),
                  "is a map");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: u, lookup: {table: users, key: k, fields: [a]}, type: long}]\n"),
                  "'type' applies to single outputs");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: u.a, expression: '1'}, "
                                   "{name: u, lookup: {table: users, key: k, fields: [a]}}]\n"),
                  "overlap");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: u, expression: '1'}, {name: u.b, expression: '2'}]\n"), "overlap");
  EXPECT_MENTIONS(error_of(users + "  fields: [{name: x, expression: '1', on_mis: null}]\n"), "unknown key 'on_mis'");
}

} // namespace
} // namespace freshet::enrich
