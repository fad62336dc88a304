// IP parsing and the interval index, the index checked against a brute-force oracle on random
// (heavily overlapping) ranges.
#include <random>

#include <gtest/gtest.h>

#include "services/enrich/ip_range_index.hpp"

namespace freshet::enrich {
namespace {

ip_address ip(const char* text) {
  auto a = parse_ip(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(0);
}

ip_range cidr(const char* text, const char* key) {
  auto r = parse_cidr(text);
  EXPECT_TRUE(r.has_value()) << text;
  auto out = r.value_or(ip_range{});
  out.key = key;
  return out;
}

const std::string* find(const ip_range_index& idx, const char* address) {
  return idx.find(ip(address));
}

TEST(ip_parsing, both_families_and_garbage) {
  EXPECT_EQ(ip("0.0.0.1") + 1, ip("0.0.0.2"));
  EXPECT_EQ(ip("10.0.0.255") + 1, ip("10.0.1.0"));
  EXPECT_EQ(ip("::ffff:10.0.0.1"), ip("10.0.0.1")) << "IPv4 lives in the mapped block";
  EXPECT_LT(ip("::1"), ip("0.0.0.0"));
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "nope", "::g", "10.0.0.1 "})
    EXPECT_FALSE(parse_ip(bad).has_value()) << bad;
}

TEST(ip_parsing, cidr_and_pairs) {
  auto r = parse_cidr("10.1.2.3/8"); // host bits are ignored
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, ip("10.0.0.0"));
  EXPECT_EQ(r->last, ip("10.255.255.255"));
  auto one = parse_cidr("192.0.2.7/32");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->first, one->last);
  auto all4 = parse_cidr("0.0.0.0/0");
  ASSERT_TRUE(all4);
  EXPECT_EQ(all4->first, ip("0.0.0.0"));
  EXPECT_EQ(all4->last, ip("255.255.255.255"));
  auto v6 = parse_cidr("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->last, ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  auto all6 = parse_cidr("::/0");
  ASSERT_TRUE(all6);
  EXPECT_EQ(all6->last, ~ip_address{0});
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "::/129", "/8"})
    EXPECT_FALSE(parse_cidr(bad).has_value()) << bad;
  EXPECT_TRUE(parse_ip_pair("1.0.0.0", "1.0.0.255"));
  EXPECT_FALSE(parse_ip_pair("1.0.0.255", "1.0.0.0")) << "reversed";
  EXPECT_FALSE(parse_ip_pair("1.0.0.0", "::1")) << "mixed families";
}

TEST(ip_range_index, longest_prefix_wins_and_families_stay_apart) {
  auto idx = ip_range_index::build({cidr("10.0.0.0/8", "ten"), cidr("10.20.0.0/16", "ten-twenty"),
                                    cidr("10.20.30.0/24", "ten-twenty-thirty"), cidr("2001:db8::/32", "doc6"),
                                    cidr("0.0.0.0/0", "any4")});
  EXPECT_EQ(*find(idx, "10.1.2.3"), "ten");
  EXPECT_EQ(*find(idx, "10.20.0.0"), "ten-twenty");
  EXPECT_EQ(*find(idx, "10.20.30.255"), "ten-twenty-thirty");
  EXPECT_EQ(*find(idx, "10.20.31.0"), "ten-twenty");
  EXPECT_EQ(*find(idx, "10.255.255.255"), "ten");
  EXPECT_EQ(*find(idx, "11.0.0.0"), "any4");
  EXPECT_EQ(*find(idx, "2001:db8::42"), "doc6");
  EXPECT_EQ(find(idx, "2001:db9::"), nullptr);
  EXPECT_EQ(find(idx, "::1"), nullptr) << "an IPv4 catch-all does not cover IPv6";
  EXPECT_EQ(idx.ranges(), 5u);
}

TEST(ip_range_index, empty_and_edge_of_the_address_space) {
  EXPECT_EQ(ip_range_index::build({}).find(5), nullptr);
  auto idx = ip_range_index::build({ip_range{~ip_address{0} - 1, ~ip_address{0}, "top"}, ip_range{0, 0, "bottom"}});
  EXPECT_EQ(*idx.find(~ip_address{0}), "top");
  EXPECT_EQ(*idx.find(0), "bottom");
  EXPECT_EQ(idx.find(1), nullptr);
}

/// The reference answer: the narrowest range containing the address, ties to the smallest key.
const std::string* oracle(const std::vector<ip_range>& ranges, ip_address a) {
  const ip_range* best = nullptr;
  for (const auto& r : ranges) {
    if (a < r.first || a > r.last)
      continue;
    if (!best || r.last - r.first < best->last - best->first ||
        (r.last - r.first == best->last - best->first && r.key < best->key))
      best = &r;
  }
  return best ? &best->key : nullptr;
}

TEST(ip_range_index, agrees_with_a_brute_force_oracle_on_random_ranges) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937_64 rng{seed};
    // A small universe forces overlaps, shared ends and equal widths (the tie rule).
    const uint64_t universe = seed % 3 == 0 ? 40 : 400;
    const ip_address base = seed % 2 ? 0 : ~ip_address{0} - universe; // also at the top of the space
    std::uniform_int_distribution<uint64_t> pos{0, universe};
    std::vector<ip_range> ranges;
    int n = std::uniform_int_distribution<int>{0, 60}(rng);
    for (int i = 0; i < n; ++i) {
      auto a = pos(rng), b = pos(rng);
      if (a > b)
        std::swap(a, b);
      if (std::uniform_int_distribution<int>{0, 4}(rng) == 0)
        b = a; // single addresses
      ranges.push_back({base + a, base + b, "k" + std::to_string(std::uniform_int_distribution<int>{0, 999}(rng))});
    }
    // Keys are unique in a table.
    for (size_t i = 0; i < ranges.size(); ++i)
      ranges[i].key += "-" + std::to_string(i);
    if (seed % 5 == 0 && !ranges.empty())
      ranges[0].key = ranges.size() > 1 ? ranges[1].key + "a" : ranges[0].key; // near-equal keys
    auto idx = ip_range_index::build(ranges);
    for (uint64_t off = 0; off <= universe + 1 && base + off >= base; ++off) {
      ip_address a = base + off;
      const auto* want = oracle(ranges, a);
      const auto* got = idx.find(a);
      ASSERT_EQ(want == nullptr, got == nullptr) << "seed " << seed << " offset " << off;
      if (want) {
        ASSERT_EQ(*want, *got) << "seed " << seed << " offset " << off;
      }
    }
    if (base > 0) { // just below the universe
      ASSERT_EQ(idx.find(base - 1), nullptr);
    }
    EXPECT_LE(idx.segments(), 2 * ranges.size() + 1);
  }
}

} // namespace
} // namespace freshet::enrich
