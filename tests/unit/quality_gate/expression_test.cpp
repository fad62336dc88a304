// The rule language: semantics against hand-checked cases, limits against hostile text, and a
// random-input sweep that must end in a value or an error every time.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/event/json_codec.hpp"
#include "services/quality-gate/expression.hpp"

namespace {

using freshet::quality_gate::expr_value;
using freshet::quality_gate::expression;
using freshet::quality_gate::expression_limits;

/// Fields from a JSON object.
class json_fields final : public freshet::quality_gate::field_source {
 public:
  explicit json_fields(const std::string& json) : rec_(*freshet::event::decode_json(json)) {}
  const freshet::event::value* find(std::string_view path) const override { return rec_.get(path); }

 private:
  freshet::event::record rec_;
};

expr_value eval(const std::string& text, const std::string& json = "{}") {
  auto e = expression::parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.err().message);
  if (!e.ok())
    return std::monostate{};
  return e->evaluate(json_fields{json});
}

bool holds(const std::string& text, const std::string& json = "{}") {
  auto e = expression::parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.err().message);
  return e.ok() && e->holds(json_fields{json});
}

std::string parse_error(const std::string& text, const expression_limits& limits = {}) {
  auto e = expression::parse(text, limits);
  return e.ok() ? "<parsed>" : e.err().message;
}

bool is_null(const expr_value& v) {
  return std::holds_alternative<std::monostate>(v);
}

#define EXPECT_MENTIONS(text, needle) EXPECT_NE(std::string{text}.find(needle), std::string::npos) << (text)

} // namespace

TEST(expression, the_issue_examples) {
  const std::string rule = R"(amount >= 0 && (currency != "JPY" || amount == floor(amount)))";
  EXPECT_TRUE(holds(rule, R"({"amount": 12.5, "currency": "EUR"})"));
  EXPECT_TRUE(holds(rule, R"({"amount": 1200, "currency": "JPY"})"));
  EXPECT_FALSE(holds(rule, R"({"amount": 12.5, "currency": "JPY"})"));
  EXPECT_FALSE(holds(rule, R"({"amount": -1, "currency": "EUR"})"));
  EXPECT_FALSE(holds(rule, R"({"currency": "EUR"})")); // missing amount: null, not true
  EXPECT_TRUE(holds("ts <= ingest_ts", R"({"ts": 5, "ingest_ts": 7})"));
  EXPECT_FALSE(holds("ts <= ingest_ts", R"({"ts": 9, "ingest_ts": 7})"));
}

TEST(expression, arithmetic_and_precedence) {
  EXPECT_EQ(eval("1 + 2 * 3"), expr_value{7.0});
  EXPECT_EQ(eval("(1 + 2) * 3"), expr_value{9.0});
  EXPECT_EQ(eval("10 - 4 - 3"), expr_value{3.0}); // left associative
  EXPECT_EQ(eval("2 * 3 % 4"), expr_value{2.0});
  EXPECT_EQ(eval("-2 * -3"), expr_value{6.0});
  EXPECT_EQ(eval("7 / 2"), expr_value{3.5});
  EXPECT_EQ(eval("1.5e3 + .5"), expr_value{1500.5});
  EXPECT_TRUE(is_null(eval("1 / 0")));
  EXPECT_TRUE(is_null(eval("1 % 0")));
  EXPECT_TRUE(is_null(eval("1e308 * 10"))); // not finite
  EXPECT_TRUE(is_null(eval("\"a\" + 1")));
  EXPECT_TRUE(is_null(eval("x + 1")));
  EXPECT_TRUE(is_null(eval("-\"a\"")));
  EXPECT_TRUE(holds("1 + 2 == 3 && 2 < 3 == true"));
}

TEST(expression, comparisons_and_equality) {
  EXPECT_TRUE(holds("\"abc\" < \"abd\""));
  EXPECT_TRUE(holds("\"b\" >= \"a\""));
  EXPECT_TRUE(is_null(eval("1 < \"2\"")));
  EXPECT_TRUE(is_null(eval("null < 1")));
  EXPECT_TRUE(holds("1 != \"1\""));
  EXPECT_TRUE(holds("null == null"));
  EXPECT_TRUE(holds("missing == null"));
  EXPECT_TRUE(holds("missing != 0"));
  EXPECT_TRUE(holds("true == true && false != true"));
  EXPECT_TRUE(holds("n == 3", R"({"n": 3})"));   // int64 field vs number literal
  EXPECT_TRUE(holds("n == 3", R"({"n": 3.0})"));
  EXPECT_TRUE(holds("geo.country == 'DE'", R"({"geo": {"country": "DE"}})"));
}

TEST(expression, three_valued_logic_short_circuits) {
  EXPECT_EQ(eval("false && missing > 1"), expr_value{false});
  EXPECT_EQ(eval("missing > 1 && false"), expr_value{false});
  EXPECT_TRUE(is_null(eval("true && missing > 1")));
  EXPECT_EQ(eval("true || missing > 1"), expr_value{true});
  EXPECT_EQ(eval("missing > 1 || true"), expr_value{true});
  EXPECT_TRUE(is_null(eval("false || missing > 1")));
  EXPECT_TRUE(is_null(eval("!(missing > 1)")));
  EXPECT_EQ(eval("!false"), expr_value{true});
  EXPECT_EQ(eval("!!true"), expr_value{true});
  EXPECT_TRUE(is_null(eval("!5")));
  EXPECT_TRUE(is_null(eval("1 && true"))); // not a boolean: unknown
}

TEST(expression, functions) {
  EXPECT_EQ(eval("floor(2.7)"), expr_value{2.0});
  EXPECT_EQ(eval("ceil(2.1)"), expr_value{3.0});
  EXPECT_EQ(eval("round(2.5)"), expr_value{3.0});
  EXPECT_EQ(eval("abs(-4)"), expr_value{4.0});
  EXPECT_EQ(eval("len('héllo')"), expr_value{5.0}); // code points
  EXPECT_EQ(eval("lower('AbC-Ä')"), expr_value{std::string{"abc-Ä"}});
  EXPECT_EQ(eval("upper(s)", R"({"s": "x1y"})"), expr_value{std::string{"X1Y"}});
  EXPECT_EQ(eval("coalesce(a, b, 9)", R"({"b": 4})"), expr_value{4.0});
  EXPECT_TRUE(is_null(eval("coalesce(a)")));
  EXPECT_TRUE(is_null(eval("floor('x')")));
  EXPECT_TRUE(is_null(eval("len(5)")));
  EXPECT_TRUE(holds("len(lower(name)) > 2 && lower(name) == 'bob'", R"({"name": "BOB"})"));
}

TEST(expression, strings_and_escapes) {
  EXPECT_EQ(eval(R"("a\"b\\c\n")"), expr_value{std::string{"a\"b\\c\n"}});
  EXPECT_EQ(eval(R"('it\'s')"), expr_value{std::string{"it's"}});
  EXPECT_MENTIONS(parse_error(R"("\q")"), "unknown escape");
  EXPECT_MENTIONS(parse_error(R"("open)"), "unterminated string");
}

TEST(expression, fields_are_listed_once_in_order) {
  auto e = expression::parse("b > a && a < 3 || coalesce(c.d, b)");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->fields(), (std::vector<std::string>{"b", "a", "c.d"}));
}

TEST(expression, syntax_errors_are_values_with_a_position) {
  EXPECT_MENTIONS(parse_error("a = 1"), "use ==");
  EXPECT_MENTIONS(parse_error("a & b"), "unexpected character '&'");
  EXPECT_MENTIONS(parse_error("a | b"), "unexpected character '|'");
  EXPECT_MENTIONS(parse_error("(a > 1"), "expected ')'");
  EXPECT_MENTIONS(parse_error("a > "), "expected a value");
  EXPECT_MENTIONS(parse_error(""), "expected a value");
  EXPECT_MENTIONS(parse_error("a b"), "unexpected 'b' at 2");
  EXPECT_MENTIONS(parse_error("nope(1)"), "unknown function 'nope'");
  EXPECT_MENTIONS(parse_error("floor(1, 2)"), "at most 1");
  EXPECT_MENTIONS(parse_error("floor()"), "takes 1");
  EXPECT_MENTIONS(parse_error("coalesce(1,"), "expected a value");
  EXPECT_MENTIONS(parse_error("3x"), "bad number");
  EXPECT_MENTIONS(parse_error("1e"), "bad number");
  EXPECT_MENTIONS(parse_error("a $ b"), "unexpected character '$'");
  EXPECT_MENTIONS(parse_error(std::string{"a \x01"}), "\\x01");
}

TEST(expression, hostile_text_is_refused_not_crashed_on) {
  // Deep nesting: parentheses, unary chains, and a long left-leaning operator chain.
  EXPECT_MENTIONS(parse_error(std::string(100000, '(') + "1" + std::string(100000, ')')), "characters long");
  expression_limits roomy;
  roomy.max_length = 1 << 22;
  EXPECT_MENTIONS(parse_error(std::string(200000, '(') + "1" + std::string(200000, ')'), roomy), "nests deeper");
  EXPECT_MENTIONS(parse_error(std::string(200000, '!') + "true", roomy), "nests deeper");
  EXPECT_MENTIONS(parse_error(std::string(200000, '-') + "1", roomy), "nests deeper");
  std::string chain = "a";
  for (int i = 0; i < 50000; ++i)
    chain += " + a";
  EXPECT_MENTIONS(parse_error(chain, roomy), "nests deeper");
  // Many nodes in a shallow tree.
  std::string wide = "coalesce(";
  for (int i = 0; i < 16; ++i)
    wide += (i ? "," : "") + std::string{"coalesce(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16)"};
  wide += ")";
  expression_limits few;
  few.max_nodes = 100;
  EXPECT_MENTIONS(parse_error(wide, few), "more than 100 terms");
  // The defaults still allow sizeable rules.
  std::string ors = "x == 0";
  for (int i = 1; i < 90; ++i)
    ors += " || x == " + std::to_string(i);
  EXPECT_TRUE(holds(ors, R"({"x": 89})"));
}

TEST(expression, huge_values_are_evaluated_in_linear_time) {
  std::string big(8 << 20, 'A');
  auto json = R"({"s": ")" + big + R"("})";
  EXPECT_EQ(eval("len(lower(s)) == len(s) && lower(s) != s", json), expr_value{true});
}

TEST(expression, random_text_always_ends_in_a_value_or_an_error) {
  const std::string alphabet = "ab.c1 0()!&|=<>+-*/%,'\"\\_e9xnulltruefalsefloorlen";
  std::mt19937 rng{42};
  json_fields fields{R"({"a": 1, "b": "x", "c": {"d": null}})"};
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    auto n = std::uniform_int_distribution<int>{0, 40}(rng);
    for (int j = 0; j < n; ++j) {
      if (std::uniform_int_distribution<int>{0, 9}(rng) == 0)
        text += static_cast<char>(std::uniform_int_distribution<int>{0, 255}(rng));
      else
        text += alphabet[std::uniform_int_distribution<size_t>{0, alphabet.size() - 1}(rng)];
    }
    auto e = expression::parse(text);
    if (e.ok()) {
      ++parsed;
      (void) e->evaluate(fields);
    } else {
      EXPECT_FALSE(e.err().message.empty());
    }
  }
  EXPECT_GT(parsed, 100); // the sweep reaches the evaluator, not only the lexer
}
