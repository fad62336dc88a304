// services/aggregate/filter_expression: the metrics' filter language, its three-valued semantics
// and its bounds.
#include <map>

#include <gtest/gtest.h>

#include "services/aggregate/filter_expression.hpp"

namespace {

using freshet::aggregate::filter_expression;
using freshet::aggregate::filter_value;

/// An event as a map of fields (absent = null).
struct event {
  std::map<std::string, filter_value> fields;
  filter_value operator()(std::string_view path) const {
    auto it = fields.find(std::string{path});
    return it == fields.end() ? filter_value{} : it->second;
  }
};

const event purchase{{{"amount", 42.5},
                      {"currency", std::string_view{"EUR"}},
                      {"items", 3.0},
                      {"vip", true},
                      {"geo.country", std::string_view{"DE"}},
                      {"url", std::string_view{"/checkout/pay"}}}};

bool matches(const std::string& text, const event& e = purchase) {
  auto f = filter_expression::compile(text);
  EXPECT_TRUE(f.ok()) << text << ": " << (f ? "" : f.err().message);
  return f.ok() && f->matches(e);
}

} // namespace

TEST(filter_expression, comparisons_logic_and_arithmetic) {
  EXPECT_TRUE(matches("amount > 40"));
  EXPECT_FALSE(matches("amount > 50"));
  EXPECT_TRUE(matches("amount >= 42.5 && amount <= 42.5"));
  EXPECT_TRUE(matches("currency == \"EUR\" && geo.country == 'DE'"));
  EXPECT_TRUE(matches("currency != 'USD'"));
  EXPECT_TRUE(matches("amount * 2 - 5 == 80"));
  EXPECT_TRUE(matches("items % 2 == 1"));
  EXPECT_TRUE(matches("-amount < 0"));
  EXPECT_TRUE(matches("(amount > 100 || items == 3) && !(currency == 'JPY')"));
  EXPECT_TRUE(matches("vip == true"));
  EXPECT_TRUE(matches("vip"));
  EXPECT_TRUE(matches("currency < 'FOO'"));
  EXPECT_TRUE(matches("currency in ['USD', 'EUR']"));
  EXPECT_FALSE(matches("currency in ['USD', 'GBP']"));
  EXPECT_TRUE(matches("items in [1, 2, 3]"));
  EXPECT_TRUE(matches("amount in [-1, 42.5]"));
}

TEST(filter_expression, functions) {
  EXPECT_TRUE(matches("lower(currency) == 'eur'"));
  EXPECT_TRUE(matches("upper(lower(currency)) == 'EUR'"));
  EXPECT_TRUE(matches("len(currency) == 3"));
  EXPECT_TRUE(matches("abs(0 - amount) == 42.5"));
  EXPECT_TRUE(matches("coalesce(missing, other, 'x') == 'x'"));
  EXPECT_TRUE(matches("starts_with(url, '/checkout')"));
  EXPECT_TRUE(matches("contains(url, 'pay')"));
  EXPECT_FALSE(matches("contains(url, 'cart')"));
}

TEST(filter_expression, nulls_are_three_valued_and_only_true_passes) {
  EXPECT_FALSE(matches("missing > 0"));
  EXPECT_FALSE(matches("!(missing > 0)")); // not null is null: still not true
  EXPECT_TRUE(matches("missing == null"));
  EXPECT_TRUE(matches("missing == null || missing > 0"));
  EXPECT_FALSE(matches("missing > 0 || amount > 100"));
  EXPECT_TRUE(matches("missing > 0 || amount > 40"));  // null || true is true
  EXPECT_FALSE(matches("missing > 0 && amount > 40")); // null && true is null
  EXPECT_TRUE(matches("!(missing > 0 && amount > 100)")); // null && false is false
  EXPECT_FALSE(matches("amount / 0 > 1"));
  EXPECT_FALSE(matches("currency + 1 > 0"));
  EXPECT_FALSE(matches("currency > 1"));   // text against a number: null
  EXPECT_FALSE(matches("items == '3'"));   // types differ: not equal
  EXPECT_TRUE(matches("items != '3'"));
  EXPECT_FALSE(matches("amount"));         // a number is not a boolean
}

TEST(filter_expression, lists_its_fields_once) {
  auto f = filter_expression::compile("amount > 1 && (amount < 9 || geo.country == 'DE') && lower(x) == 'y'");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->fields(), (std::vector<std::string>{"amount", "geo.country", "x"}));
}

TEST(filter_expression, refuses_what_it_cannot_read) {
  for (const char* bad : {"", "amount >", "(amount > 1", "amount > 1)", "amount >> 1", "'open", "foo(1)",
                          "lower()", "lower(a, b)", "amount in 3", "amount in [x]", "a..b > 1", "1 2", "@"}) {
    auto f = filter_expression::compile(bad);
    EXPECT_FALSE(f.ok()) << "'" << bad << "' compiled";
  }
  std::string deep(200, '(');
  deep += "1";
  deep += std::string(200, ')');
  EXPECT_FALSE(filter_expression::compile(deep).ok());
  std::string wide = "a";
  for (int i = 0; i < 1100; ++i)
    wide += " + a";
  EXPECT_FALSE(filter_expression::compile(wide).ok());
  EXPECT_FALSE(filter_expression::compile(std::string(5000, 'a')).ok());
}
