// common/window sketches: HyperLogLog, DDSketch and Space-Saving against exact answers and their
// documented error bounds, merging, and the byte encodings.
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/window/ddsketch.hpp"
#include "common/window/hash.hpp"
#include "common/window/hyperloglog.hpp"
#include "common/window/space_saving.hpp"
#include "common/window/value.hpp"

namespace {

using namespace freshet::window;

hyperloglog hll_of(int64_t from, int64_t to, int precision = 12) {
  hyperloglog h(precision);
  for (int64_t i = from; i < to; ++i)
    h.add_hash(value_hash(field_value{i}));
  return h;
}

std::string encoded(const auto& sketch) {
  std::string out;
  byte_writer w(out);
  sketch.encode(w);
  return out;
}

// --- HyperLogLog -------------------------------------------------------------------------------

TEST(hyperloglog, empty_is_zero_and_small_sets_are_nearly_exact) {
  EXPECT_EQ(hyperloglog(12).estimate(), 0.0);
  for (int64_t n : {1, 2, 5, 10, 50, 100, 200, 400}) {
    double est = hll_of(0, n).estimate();
    EXPECT_LE(std::fabs(est - n), std::max(1.0, 0.01 * n)) << "n=" << n;
  }
}

TEST(hyperloglog, large_sets_stay_within_four_standard_errors) {
  for (int p : {10, 12, 14}) {
    for (int64_t n : {1'000, 10'000, 100'000, 1'000'000}) {
      auto h = hll_of(0, n, p);
      double rel = std::fabs(h.estimate() - n) / n;
      EXPECT_LE(rel, 4 * h.standard_error()) << "p=" << p << " n=" << n;
    }
  }
}

TEST(hyperloglog, error_across_many_sketches_matches_the_documented_standard_error) {
  // 200 independent sketches at several cardinalities, including the range where raw HLL is biased
  // (2.5m .. 5m): Ertl's estimator should be unbiased with RMS error close to 1.04/sqrt(m).
  for (int64_t n : {2'000, 10'000, 16'000, 50'000}) {
    double sum = 0, sum_sq = 0;
    const int trials = 200;
    for (int t = 0; t < trials; ++t) {
      auto h = hll_of(int64_t{t} * 1'000'000'000, int64_t{t} * 1'000'000'000 + n);
      double rel = (h.estimate() - n) / n;
      sum += rel;
      sum_sq += rel * rel;
    }
    double bias = sum / trials, rms = std::sqrt(sum_sq / trials);
    double se = hyperloglog(12).standard_error();
    EXPECT_LT(std::fabs(bias), 0.35 * se) << "n=" << n; // mean of 200: sd of the mean is se/14
    EXPECT_LT(rms, 1.25 * se) << "n=" << n;
    EXPECT_GT(rms, 0.6 * se) << "n=" << n; // the documented figure is not wildly pessimistic either
  }
}

TEST(hyperloglog, merge_is_exactly_the_sketch_of_the_union_in_any_order) {
  auto a = hll_of(0, 60'000), b = hll_of(30'000, 90'000), u = hll_of(0, 90'000);
  auto ab = a, ba = b;
  ASSERT_TRUE(ab.merge(b).ok());
  ASSERT_TRUE(ba.merge(a).ok());
  EXPECT_TRUE(ab.same_registers(u));
  EXPECT_TRUE(ba.same_registers(u));
  EXPECT_EQ(ab.estimate(), u.estimate());
  // Sparse into sparse, sparse into dense, dense into sparse.
  auto s1 = hll_of(0, 100), s2 = hll_of(50, 150), d = hll_of(0, 20'000);
  ASSERT_TRUE(s1.is_sparse());
  ASSERT_FALSE(d.is_sparse());
  auto s12 = s1;
  ASSERT_TRUE(s12.merge(s2).ok());
  EXPECT_TRUE(s12.same_registers(hll_of(0, 150)));
  EXPECT_TRUE(s12.is_sparse());
  auto sd = s1;
  ASSERT_TRUE(sd.merge(d).ok());
  EXPECT_TRUE(sd.same_registers(d));
  auto ds = d;
  ASSERT_TRUE(ds.merge(s2).ok());
  EXPECT_TRUE(ds.same_registers(hll_of(0, 20'000)));
}

TEST(hyperloglog, representation_depends_on_registers_only) {
  auto forward = hll_of(0, 700);
  hyperloglog backward(12);
  for (int64_t i = 699; i >= 0; --i)
    backward.add_hash(value_hash(field_value{i}));
  EXPECT_EQ(encoded(forward), encoded(backward));
}

TEST(hyperloglog, encoding_round_trips_sparse_and_dense) {
  for (int64_t n : {0, 10, 400, 5'000}) {
    auto h = hll_of(0, n);
    auto bytes = encoded(h);
    hyperloglog back(4);
    byte_reader in(bytes);
    ASSERT_TRUE(back.decode(in).ok());
    EXPECT_TRUE(in.at_end());
    EXPECT_TRUE(back.same_registers(h));
    EXPECT_EQ(back.is_sparse(), h.is_sparse());
    EXPECT_EQ(encoded(back), bytes);
  }
  EXPECT_LT(encoded(hll_of(0, 10)).size(), 40u); // sparse stays small for tiny windows
}

TEST(hyperloglog, rejects_other_precisions_and_bad_bytes) {
  auto a = hll_of(0, 10, 12);
  auto b = hll_of(0, 10, 14);
  auto st = a.merge(b);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.err().code, static_cast<int>(errc::incompatible_merge));
  auto bytes = encoded(hll_of(0, 5'000));
  for (size_t cut : {size_t{0}, size_t{1}, size_t{2}, bytes.size() - 1}) {
    hyperloglog h;
    byte_reader in(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(h.decode(in).ok()) << cut;
  }
  std::string bad = bytes;
  bad[0] = 30; // precision out of range
  hyperloglog h;
  byte_reader in(bad);
  EXPECT_FALSE(h.decode(in).ok());
}

TEST(hyperloglog, integral_reals_and_integers_count_once) {
  hyperloglog h;
  h.add_hash(value_hash(field_value{int64_t{3}}));
  h.add_hash(value_hash(field_value{3.0}));
  h.add_hash(value_hash(field_value{std::string_view("3")}));
  EXPECT_NEAR(h.estimate(), 2.0, 0.01);
}

// --- DDSketch ----------------------------------------------------------------------------------

void expect_within_bound(const ddsketch& s, const std::vector<double>& values, double alpha) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i <= 100; ++i) {
    double q = i / 100.0;
    double exact = sorted[static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
    double est = s.quantile(q);
    EXPECT_LE(std::fabs(est - exact), alpha * std::fabs(exact) * (1 + 1e-9) + 1e-300)
      << "q=" << q << " exact=" << exact << " est=" << est;
  }
}

TEST(ddsketch, quantiles_are_within_the_relative_accuracy_for_several_distributions) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> lognormal(3, 2);
  std::uniform_real_distribution<double> uniform(-1000, 1000);
  std::exponential_distribution<double> expo(0.01);
  for (double alpha : {0.001, 0.01, 0.05}) {
    std::vector<std::vector<double>> sets(4);
    for (int i = 0; i < 20'000; ++i) {
      sets[0].push_back(lognormal(rng));
      sets[1].push_back(uniform(rng));
      sets[2].push_back(std::round(uniform(rng) / 100)); // integers with many zeros
      sets[3].push_back(-expo(rng));
    }
    for (const auto& values : sets) {
      // 1% needs ~800 buckets for this lognormal; 0.1% ~8000 (the bucket count grows as 1/α).
      ddsketch s(alpha, alpha < 0.01 ? 16'384 : 2'048);
      for (double v : values)
        s.add(v);
      EXPECT_EQ(s.count(), values.size());
      EXPECT_FALSE(s.collapsed());
      expect_within_bound(s, values, alpha);
      EXPECT_EQ(s.quantile(0), *std::min_element(values.begin(), values.end()));
      EXPECT_EQ(s.quantile(1), *std::max_element(values.begin(), values.end()));
    }
  }
}

TEST(ddsketch, merged_parts_answer_exactly_like_the_whole) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0, 500);
  std::vector<double> values;
  ddsketch whole(0.01), parts[3] = {ddsketch(0.01), ddsketch(0.01), ddsketch(0.01)};
  for (int i = 0; i < 9'000; ++i) {
    double v = normal(rng);
    values.push_back(v);
    whole.add(v);
    parts[i % 3].add(v);
  }
  ddsketch merged(0.01);
  for (auto& p : parts)
    ASSERT_TRUE(merged.merge(p).ok());
  for (int i = 0; i <= 100; ++i)
    EXPECT_EQ(merged.quantile(i / 100.0), whole.quantile(i / 100.0));
  EXPECT_EQ(encoded(merged), encoded(whole));
  expect_within_bound(merged, values, 0.01);
}

TEST(ddsketch, collapsing_keeps_the_bound_for_high_quantiles_and_is_order_independent) {
  std::vector<double> values;
  for (int e = -30; e <= 30; ++e)
    for (int k = 1; k <= 10; ++k)
      values.push_back(k * std::pow(10.0, e));
  ddsketch fwd(0.01, 64), bwd(0.01, 64);
  for (double v : values)
    fwd.add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it)
    bwd.add(*it);
  EXPECT_TRUE(fwd.collapsed());
  EXPECT_EQ(encoded(fwd), encoded(bwd));
  // 64 buckets of 2% cover ~1.3 orders of magnitude: the top 2% of values are still exact to 1%.
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double q : {0.99, 0.995, 1.0}) {
    double exact = sorted[static_cast<size_t>(std::floor(q * (sorted.size() - 1)))];
    EXPECT_LE(std::fabs(fwd.quantile(q) - exact), 0.01 * exact * (1 + 1e-9)) << q;
  }
}

TEST(ddsketch, encoding_round_trips_and_rejects_bad_input) {
  ddsketch s(0.02);
  for (int i = -500; i < 1500; ++i)
    s.add(i * 0.37);
  auto bytes = encoded(s);
  ddsketch back;
  byte_reader in(bytes);
  ASSERT_TRUE(back.decode(in).ok());
  EXPECT_TRUE(in.at_end());
  EXPECT_EQ(encoded(back), bytes);
  for (int i = 0; i <= 20; ++i)
    EXPECT_EQ(back.quantile(i / 20.0), s.quantile(i / 20.0));
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    ddsketch t;
    byte_reader tin(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(t.decode(tin).ok()) << cut;
  }
  ddsketch other(0.05);
  EXPECT_FALSE(s.merge(other).ok());
  EXPECT_TRUE(std::isnan(ddsketch().quantile(0.5)));
}

// --- Space-Saving ------------------------------------------------------------------------------

/// Checks every documented Space-Saving bound against exact frequencies.
void expect_space_saving_bounds(const space_saving& s, const std::map<std::string, uint64_t>& exact) {
  uint64_t n = 0;
  for (const auto& [item, f] : exact)
    n += f;
  ASSERT_EQ(s.total(), n);
  const double bound = static_cast<double>(n) / s.capacity();
  EXPECT_LE(static_cast<double>(s.min_count()), bound);
  for (const auto& e : s.top(s.capacity())) {
    uint64_t f = exact.count(e.item) ? exact.at(e.item) : 0;
    EXPECT_LE(f, e.count) << e.item;
    EXPECT_LE(e.count - e.error, f) << e.item;
    EXPECT_LE(static_cast<double>(e.error), bound) << e.item;
  }
  for (const auto& [item, f] : exact) {
    if (static_cast<double>(f) > bound) {
      EXPECT_TRUE(s.find(item).has_value()) << item << " f=" << f << " N/m=" << bound;
    }
    if (!s.find(item)) {
      EXPECT_LE(f, s.min_count()) << item;
    }
  }
}

std::vector<std::string> zipf_stream(size_t n, size_t universe, double skew, uint64_t seed) {
  std::vector<double> w(universe);
  for (size_t i = 0; i < universe; ++i)
    w[i] = 1.0 / std::pow(static_cast<double>(i + 1), skew);
  std::discrete_distribution<size_t> d(w.begin(), w.end());
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("item-" + std::to_string(d(rng)));
  return out;
}

TEST(space_saving, bounds_hold_and_skewed_top_k_is_exact) {
  for (double skew : {0.8, 1.2, 2.0}) {
    auto stream = zipf_stream(50'000, 5'000, skew, 3);
    space_saving s(100);
    std::map<std::string, uint64_t> exact;
    for (const auto& x : stream) {
      s.add(x);
      ++exact[x];
    }
    expect_space_saving_bounds(s, exact);
    if (skew >= 1.2) {
      std::vector<std::pair<uint64_t, std::string>> by_count;
      for (const auto& [item, f] : exact)
        by_count.emplace_back(f, item);
      std::sort(by_count.rbegin(), by_count.rend());
      auto top = s.top(5);
      for (size_t i = 0; i < 5; ++i)
        EXPECT_EQ(top[i].item, by_count[i].second) << "skew=" << skew << " rank " << i;
    }
  }
}

TEST(space_saving, merged_summaries_keep_the_bounds) {
  auto stream = zipf_stream(40'000, 3'000, 1.0, 5);
  for (size_t parts : {2, 3, 5}) {
    std::vector<space_saving> s(parts, space_saving(64));
    std::map<std::string, uint64_t> exact;
    for (size_t i = 0; i < stream.size(); ++i) {
      s[(i * 7919) % parts].add(stream[i]); // interleaved, not contiguous, parts
      ++exact[stream[i]];
    }
    space_saving merged(64);
    for (auto& p : s)
      ASSERT_TRUE(merged.merge(p).ok());
    expect_space_saving_bounds(merged, exact);
    // and it keeps working as a summary afterwards
    for (int i = 0; i < 10'000; ++i) { // more than item-0's ~4,600
      merged.add("late-item");
      ++exact["late-item"];
    }
    expect_space_saving_bounds(merged, exact);
    EXPECT_EQ(merged.top(1).front().item, "late-item");
  }
}

TEST(space_saving, an_item_one_side_evicted_is_not_undercounted_by_the_merge) {
  space_saving a(2), b(2);
  for (int i = 0; i < 5; ++i) {
    a.add("x");
    a.add("y");
  }
  b.add("x"); // evicted below by z and w: b only knows x's count is at most its minimum
  for (int i = 0; i < 3; ++i) {
    b.add("z");
    b.add("w");
  }
  ASSERT_FALSE(b.find("x").has_value());
  ASSERT_TRUE(a.merge(b).ok());
  auto x = a.find("x");
  ASSERT_TRUE(x.has_value());
  EXPECT_GE(x->count, 6u); // true count 6
  EXPECT_LE(x->count - x->error, 6u);
  EXPECT_EQ(a.total(), 17u);
}

TEST(space_saving, bounds_hold_for_flat_distributions_merged_many_ways) {
  // Many items near the N/m threshold: where a wrong merge rule would show.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto stream = zipf_stream(6'000, 400, 0.4, seed);
    std::vector<space_saving> parts(4, space_saving(20));
    std::map<std::string, uint64_t> exact;
    for (size_t i = 0; i < stream.size(); ++i) {
      parts[(i / (50 + seed)) % 4].add(stream[i]);
      ++exact[stream[i]];
    }
    space_saving left = parts[0], right = parts[2];
    ASSERT_TRUE(left.merge(parts[1]).ok());
    ASSERT_TRUE(right.merge(parts[3]).ok());
    ASSERT_TRUE(left.merge(right).ok());
    expect_space_saving_bounds(left, exact);
  }
}

TEST(space_saving, small_summaries_are_exact_and_weights_count) {
  space_saving s(10);
  s.add("a", 5);
  s.add("b");
  s.add("a");
  auto top = s.top(10);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0], (top_k_entry{"a", 6, 0}));
  EXPECT_EQ(top[1], (top_k_entry{"b", 1, 0}));
  space_saving t(10);
  t.add("b", 3);
  ASSERT_TRUE(s.merge(t).ok());
  EXPECT_EQ(s.find("b")->count, 4u);
  EXPECT_EQ(s.find("b")->error, 0u);
  EXPECT_FALSE(s.merge(space_saving(11)).ok());
}

TEST(space_saving, a_decoded_summary_continues_exactly_like_the_original) {
  auto stream = zipf_stream(20'000, 2'000, 1.1, 9);
  space_saving a(50);
  for (size_t i = 0; i < 10'000; ++i)
    a.add(stream[i]);
  auto bytes = encoded(a);
  space_saving b(1);
  byte_reader in(bytes);
  ASSERT_TRUE(b.decode(in).ok());
  EXPECT_TRUE(in.at_end());
  for (size_t i = 10'000; i < stream.size(); ++i) {
    a.add(stream[i]);
    b.add(stream[i]);
  }
  EXPECT_EQ(a.top(50), b.top(50));
  EXPECT_EQ(encoded(a), encoded(b));
  for (size_t cut = 0; cut < bytes.size(); cut += 13) {
    space_saving t(1);
    byte_reader tin(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(t.decode(tin).ok()) << cut;
  }
}

// --- Hashing -----------------------------------------------------------------------------------

TEST(stable_hash, is_fixed_across_builds_and_spreads_bits) {
  // Pinned values: sketches persisted in Redis/RocksDB depend on them never changing.
  EXPECT_EQ(stable_hash(""), 16294208416658607535ULL);
  EXPECT_EQ(stable_hash("freshet"), 16481904362596510938ULL);
  EXPECT_EQ(value_hash(field_value{int64_t{42}}), 14742086511932507090ULL);
  EXPECT_EQ(value_hash(field_value{42.0}), value_hash(field_value{int64_t{42}}));
  EXPECT_NE(stable_hash("a"), stable_hash("b"));
  EXPECT_NE(stable_hash(std::string_view("\0", 1)), stable_hash(""));
  EXPECT_NE(stable_hash("abcdefgh"), stable_hash("abcdefgh", 1));
  // Each output bit is set about half the time over sequential integers.
  int ones[64] = {};
  const int n = 20'000;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t h = value_hash(field_value{i});
    for (int b = 0; b < 64; ++b)
      ones[b] += static_cast<int>((h >> b) & 1);
  }
  for (int b = 0; b < 64; ++b)
    EXPECT_NEAR(ones[b], n / 2, n / 20) << "bit " << b;
}

} // namespace
