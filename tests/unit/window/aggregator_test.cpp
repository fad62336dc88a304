// common/window aggregators: exact results, merging, the self-describing state bytes, and specs.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/window/aggregator.hpp"
#include "common/window/metric_spec.hpp"

namespace {

using namespace freshet::window;

aggregation_spec spec(agg_kind k, std::string field = "v") {
  aggregation_spec a;
  a.output = "out";
  a.kind = k;
  a.field = k == agg_kind::count ? "" : std::move(field);
  return a;
}

std::unique_ptr<aggregator> fed(agg_kind k, const std::vector<field_value>& values) {
  auto a = make_aggregator(spec(k));
  for (const auto& v : values)
    a->add(v);
  return a;
}

TEST(aggregators, exact_kinds_on_integers_reals_and_nulls) {
  std::vector<field_value> ints{int64_t{4}, std::monostate{}, int64_t{-2}, int64_t{10}, std::string_view("x")};
  EXPECT_EQ(fed(agg_kind::count, ints)->value(), agg_value{int64_t{4}}); // text counts, null does not
  EXPECT_EQ(fed(agg_kind::sum, ints)->value(), agg_value{int64_t{12}});
  EXPECT_EQ(fed(agg_kind::min, ints)->value(), agg_value{int64_t{-2}});
  EXPECT_EQ(fed(agg_kind::max, ints)->value(), agg_value{int64_t{10}});
  EXPECT_EQ(fed(agg_kind::avg, ints)->value(), agg_value{4.0});

  std::vector<field_value> mixed{int64_t{1}, 0.5, 2.25};
  EXPECT_EQ(fed(agg_kind::sum, mixed)->value(), agg_value{3.75});
  EXPECT_EQ(fed(agg_kind::min, mixed)->value(), agg_value{0.5});
  EXPECT_EQ(fed(agg_kind::max, mixed)->value(), agg_value{2.25});
  EXPECT_EQ(fed(agg_kind::avg, mixed)->value(), agg_value{1.25});

  std::vector<field_value> none{std::monostate{}};
  for (auto k : {agg_kind::sum, agg_kind::min, agg_kind::max, agg_kind::avg, agg_kind::quantiles, agg_kind::top_k})
    EXPECT_EQ(fed(k, none)->value(), agg_value{}) << to_string(k);
  EXPECT_EQ(fed(agg_kind::count_distinct, none)->value(), agg_value{int64_t{0}});
}

TEST(aggregators, min_max_compare_integers_and_reals_exactly_and_prefer_integers_on_ties) {
  const int64_t big = (int64_t{1} << 60) + 1; // not representable as a double
  EXPECT_EQ(fed(agg_kind::max, {field_value{big}, field_value{static_cast<double>(big)}})->value(), agg_value{big});
  EXPECT_EQ(fed(agg_kind::min, {field_value{3.0}, field_value{int64_t{3}}})->value(), agg_value{int64_t{3}});
  EXPECT_EQ(fed(agg_kind::min, {field_value{int64_t{3}}, field_value{3.0}})->value(), agg_value{int64_t{3}});
}

TEST(aggregators, integer_sums_are_exact_until_they_overflow) {
  const int64_t big = int64_t{1} << 62;
  EXPECT_EQ(fed(agg_kind::sum, {field_value{big}, field_value{int64_t{-1}}, field_value{big - 1}})->value(),
            agg_value{2 * (big - 1)});
  auto overflowed = fed(agg_kind::sum, {field_value{big}, field_value{big}, field_value{big}});
  EXPECT_EQ(overflowed->value(), agg_value{3.0 * static_cast<double>(big)});
}

TEST(aggregators, merge_equals_feeding_everything_to_one) {
  std::vector<field_value> a{int64_t{1}, int64_t{7}, 2.5, std::string_view("k1")};
  std::vector<field_value> b{int64_t{-3}, int64_t{7}, std::string_view("k2"), std::string_view("k1")};
  std::vector<field_value> all = a;
  all.insert(all.end(), b.begin(), b.end());
  for (int k = 1; k <= 8; ++k) {
    auto kind = static_cast<agg_kind>(k);
    auto left = fed(kind, a);
    auto right = fed(kind, b);
    ASSERT_TRUE(left->merge(*right).ok()) << to_string(kind);
    EXPECT_EQ(left->value(), fed(kind, all)->value()) << to_string(kind);
  }
  auto st = make_aggregator(spec(agg_kind::sum))->merge(*make_aggregator(spec(agg_kind::avg)));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, static_cast<int>(freshet::window::errc::incompatible_merge));
}

TEST(aggregators, states_serialize_self_describing_and_continue_identically) {
  std::vector<field_value> first{int64_t{5}, 1.5, std::string_view("u1"), int64_t{-8}};
  std::vector<field_value> second{int64_t{9}, std::string_view("u2"), std::string_view("u1")};
  for (int k = 1; k <= 8; ++k) {
    auto kind = static_cast<agg_kind>(k);
    auto a = fed(kind, first);
    auto bytes = serialize(*a);
    auto back = deserialize(bytes);
    ASSERT_TRUE(back.ok()) << to_string(kind) << ": " << back.err().describe();
    EXPECT_EQ((*back)->kind(), kind);
    EXPECT_EQ(serialize(**back), bytes);
    for (const auto& v : second) {
      a->add(v);
      (*back)->add(v);
    }
    EXPECT_EQ((*back)->value(), a->value()) << to_string(kind);
    EXPECT_EQ(serialize(**back), serialize(*a)) << to_string(kind);
    // Truncation anywhere is an error, never a crash or a silently different state.
    for (size_t cut = 0; cut < bytes.size(); ++cut)
      EXPECT_FALSE(deserialize(std::string_view(bytes).substr(0, cut)).ok()) << to_string(kind) << " cut " << cut;
    EXPECT_FALSE(deserialize(bytes + "x").ok());
  }
  EXPECT_EQ(deserialize(std::string("\x02\x01\x00", 3)).err().code, static_cast<int>(errc::bad_version));
  EXPECT_EQ(deserialize(std::string("\x01\x09\x00", 3)).err().code, static_cast<int>(errc::bad_kind));
}

TEST(aggregators, sketch_parameters_travel_with_the_state) {
  auto a = spec(agg_kind::quantiles);
  a.relative_accuracy = 0.05;
  a.quantiles = {0.1, 0.5};
  auto q = make_aggregator(a);
  for (int i = 1; i <= 100; ++i)
    q->add(field_value{int64_t{i}});
  auto back = deserialize(serialize(*q));
  ASSERT_TRUE(back.ok());
  auto v = std::get<std::vector<quantile_estimate>>((*back)->value());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].q, 0.1);
  EXPECT_NEAR(v[0].value, 10, 0.5);
  EXPECT_NEAR(v[1].value, 50, 2.5);
  // A default-accuracy sketch cannot merge into it.
  EXPECT_FALSE((*back)->merge(*make_aggregator(spec(agg_kind::quantiles))).ok());

  auto t = spec(agg_kind::top_k, "u");
  t.k = 2;
  auto top = make_aggregator(t);
  for (auto s : {"a", "b", "a", "c", "a", "b"})
    top->add(field_value{std::string_view(s)});
  top->add(field_value{int64_t{7}});
  auto tv = std::get<std::vector<top_k_entry>>(top->value());
  ASSERT_EQ(tv.size(), 2u);
  EXPECT_EQ(tv[0], (top_k_entry{"a", 3, 0}));
  EXPECT_EQ(tv[1], (top_k_entry{"b", 2, 0}));
}

TEST(aggregator_block, holds_every_kind_in_one_block_and_moves) {
  std::vector<aggregation_spec> specs;
  for (int k = 1; k <= 8; ++k) {
    specs.push_back(spec(static_cast<agg_kind>(k)));
    specs.back().output = "o" + std::to_string(k);
  }
  aggregator_layout layout(specs);
  aggregator_block block(layout);
  ASSERT_EQ(block.size(), 8u);
  for (int i = 0; i < 100; ++i)
    for (size_t k = 0; k < block.size(); ++k)
      block[k].add(field_value{int64_t{i % 10}});
  aggregator_block moved(std::move(block));
  EXPECT_EQ(block.size(), 0u);
  for (size_t k = 0; k < moved.size(); ++k)
    EXPECT_EQ(moved[k].kind(), static_cast<agg_kind>(k + 1));
  EXPECT_EQ(moved[0].value(), agg_value{int64_t{100}});
  EXPECT_EQ(moved[1].value(), agg_value{int64_t{450}});
  EXPECT_EQ(moved[5].value(), agg_value{int64_t{10}});
  aggregator_block other(layout);
  other = std::move(moved);
  EXPECT_EQ(other[3].value(), agg_value{int64_t{9}});
  // A state of one kind cannot be read into another.
  std::string bytes = serialize(other[0]);
  byte_reader in(bytes);
  EXPECT_EQ(deserialize_into(in, other[1]).err().code, static_cast<int>(errc::spec_mismatch));
}

TEST(metric_spec, validation_names_the_problem) {
  metric_spec m;
  m.name = "views";
  m.aggregations = {spec(agg_kind::count)};
  EXPECT_TRUE(validate(m).ok());
  auto code = [](const metric_spec& s) { return validate(s).ok() ? 0 : validate(s).err().code; };

  auto bad = m;
  bad.name.clear();
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_spec));
  bad = m;
  bad.window = {window_kind::hopping, 1000, 2000};
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_window));
  bad = m;
  bad.window = {window_kind::session, 0, 0, 0};
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_window));
  bad = m;
  bad.aggregations.push_back(spec(agg_kind::count));
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_aggregation)); // duplicate output
  bad = m;
  bad.aggregations = {spec(agg_kind::sum, "")};
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_aggregation));
  bad = m;
  bad.aggregations = {spec(agg_kind::count_distinct)};
  bad.aggregations[0].hll_precision = 20;
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_aggregation));
  bad = m;
  bad.allowed_lateness_ms = -1;
  EXPECT_EQ(code(bad), static_cast<int>(errc::invalid_spec));
  EXPECT_EQ(validate(bad).err().domain, freshet::error_domain::config);
}

TEST(metric_spec, input_fields_list_filter_then_aggregation_fields_once) {
  metric_spec m;
  m.filter_fields = {"country", "v"};
  m.aggregations = {spec(agg_kind::count), spec(agg_kind::sum, "v"), spec(agg_kind::count_distinct, "user")};
  m.aggregations[1].output = "s";
  m.aggregations[2].output = "u";
  EXPECT_EQ(m.input_fields(), (std::vector<std::string>{"country", "v", "user"}));
}

TEST(metric_spec, the_fingerprint_follows_what_shapes_state) {
  metric_spec m;
  m.name = "views";
  m.aggregations = {spec(agg_kind::count)};
  auto base = state_fingerprint(m);
  auto other = m;
  other.idle_timeout_ms = 5; // does not shape state
  other.emit.early_every_ms = 100;
  EXPECT_EQ(state_fingerprint(other), base);
  other = m;
  other.window.size_ms = 1000;
  EXPECT_NE(state_fingerprint(other), base);
  other = m;
  other.group_by = {"page"};
  EXPECT_NE(state_fingerprint(other), base);
}

} // namespace
