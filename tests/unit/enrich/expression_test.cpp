// The computed-field expression language: hand-picked semantics, parse errors, and a property test
// against an independent evaluation of randomly generated integer expressions.
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "services/enrich/expression.hpp"

namespace freshet::enrich {
namespace {

using event::value;

event::record purchase() {
  event::record r;
  r.set("amount", 20.0);
  r.set("items", int64_t{3});
  r.set("currency", std::string{"EUR"});
  r.set("unknown_currency", std::string{"XXX"});
  r.set("user.segment", std::string{"vip"});
  r.set("nothing", std::monostate{});
  return r;
}

/// fx(code): EUR 1.5, GBP 2; anything else has no row. Counts calls.
struct fx_table {
  int calls = 0;
  bool fail = false;
  function_caller caller() {
    return [this](size_t fn, const value& arg) -> result<std::optional<value>> {
      EXPECT_EQ(fn, 0u);
      ++calls;
      if (fail)
        return make_error(error_domain::redis, 2, "down", true);
      auto code = event::as_text(arg);
      if (code == "EUR")
        return std::optional<value>{1.5};
      if (code == "GBP")
        return std::optional<value>{int64_t{2}};
      return std::optional<value>{};
    };
  }
};

eval_result eval(const std::string& text, const event::record& rec = purchase()) {
  fx_table fx;
  auto e = expression::parse(text, {"fx"});
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.err().message);
  if (!e.ok())
    return {};
  auto r = e->evaluate(rec, fx.caller());
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : eval_result{};
}

std::string parse_error(const std::string& text) {
  auto e = expression::parse(text, {"fx"});
  EXPECT_FALSE(e.ok()) << text;
  return e.ok() ? "" : e.err().message;
}

TEST(expression, arithmetic_follows_precedence_and_keeps_integers_exact) {
  EXPECT_EQ(eval("1 + 2 * 3").value, value{int64_t{7}});
  EXPECT_EQ(eval("(1 + 2) * 3").value, value{int64_t{9}});
  EXPECT_EQ(eval("10 - 4 - 3").value, value{int64_t{3}}); // left associative
  EXPECT_EQ(eval("7 / 2").value, value{3.5});             // division is always a double
  EXPECT_EQ(eval("7 % 3").value, value{int64_t{1}});
  EXPECT_EQ(eval("-items + 1").value, value{int64_t{-2}});
  EXPECT_EQ(eval("- -2").value, value{int64_t{2}});
  EXPECT_EQ(eval("1.5e1").value, value{15.0});
  EXPECT_EQ(eval("items * 2").value, value{int64_t{6}});
}

TEST(expression, a_lookup_function_joins_a_rate) {
  auto r = eval("amount * fx(currency)");
  EXPECT_EQ(r.value, value{30.0});
  EXPECT_FALSE(r.missed);
  EXPECT_EQ(eval("round(amount * fx('GBP'), 2)").value, value{40.0});
}

TEST(expression, a_lookup_without_a_row_is_a_miss_unless_coalesced_away) {
  auto r = eval("amount * fx(unknown_currency)");
  EXPECT_TRUE(event::is_null(r.value));
  EXPECT_TRUE(r.missed);
  auto rescued = eval("coalesce(fx(unknown_currency), 1) * amount");
  EXPECT_EQ(rescued.value, value{20.0});
  EXPECT_FALSE(rescued.missed);
}

TEST(expression, null_in_null_out_and_no_lookup_for_a_null_key) {
  fx_table fx;
  auto e = expression::parse("amount * fx(no_such_field)", {"fx"});
  ASSERT_TRUE(e.ok());
  auto r = e->evaluate(purchase(), fx.caller());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(event::is_null(r->value));
  EXPECT_FALSE(r->missed) << "an absent input is not a miss";
  EXPECT_EQ(fx.calls, 0);
  EXPECT_TRUE(event::is_null(eval("nothing + 1").value));
  EXPECT_TRUE(event::is_null(eval("currency * 2").value)) << "strings are not numbers";
  EXPECT_TRUE(event::is_null(eval("true + 1").value));
  EXPECT_TRUE(event::is_null(eval("amount / 0").value));
  EXPECT_TRUE(event::is_null(eval("items % 0").value));
  EXPECT_TRUE(event::is_null(eval("1e308 * 10").value)) << "non-finite results are null";
}

TEST(expression, integer_overflow_widens_to_double) {
  auto r = eval("9223372036854775807 + 1");
  ASSERT_TRUE(std::holds_alternative<double>(r.value));
  EXPECT_DOUBLE_EQ(std::get<double>(r.value), 9223372036854775808.0);
  EXPECT_EQ(eval("-9223372036854775807 - 1").value, value{INT64_MIN});
  EXPECT_EQ(eval("(-9223372036854775807 - 1) % -1").value, value{int64_t{0}});
}

TEST(expression, builtins) {
  EXPECT_EQ(eval("abs(-3)").value, value{int64_t{3}});
  EXPECT_EQ(eval("abs(-2.5)").value, value{2.5});
  EXPECT_EQ(eval("round(2.5)").value, value{3.0});
  EXPECT_EQ(eval("round(1.2345, 2)").value, value{1.23});
  EXPECT_EQ(eval("floor(2.7)").value, value{2.0});
  EXPECT_EQ(eval("ceil(2.1)").value, value{3.0});
  EXPECT_EQ(eval("min(3, 1.5, 2)").value, value{1.5});
  EXPECT_EQ(eval("max(3, 1.5, 2)").value, value{int64_t{3}});
  EXPECT_EQ(eval("coalesce(nothing, user.segment)").value, value{std::string{"vip"}});
  EXPECT_TRUE(event::is_null(eval("min(1, nothing)").value));
}

TEST(expression, coalesce_stops_at_the_first_value) {
  fx_table fx;
  auto e = expression::parse("coalesce(1, fx(currency))", {"fx"});
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->evaluate(purchase(), fx.caller()).ok());
  EXPECT_EQ(fx.calls, 0);
}

TEST(expression, lookup_errors_propagate_for_a_retry) {
  fx_table fx;
  fx.fail = true;
  auto e = expression::parse("amount * fx(currency)", {"fx"});
  ASSERT_TRUE(e.ok());
  auto r = e->evaluate(purchase(), fx.caller());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.err().retriable);
}

TEST(expression, reports_the_fields_it_reads) {
  auto e = expression::parse("amount * fx(currency) + amount + user.segment", {"fx"});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->fields(), (std::vector<std::string>{"amount", "currency", "user.segment"}));
}

TEST(expression, parse_errors_say_what_and_where) {
  EXPECT_NE(parse_error("amount *").find("unexpected end"), std::string::npos);
  EXPECT_NE(parse_error("(amount").find("expected ')'"), std::string::npos);
  EXPECT_NE(parse_error("amount amount").find("unexpected 'a'"), std::string::npos);
  EXPECT_NE(parse_error("rate(currency)").find("unknown function 'rate'"), std::string::npos);
  EXPECT_NE(parse_error("fx(a, b)").find("takes 1 argument(s), not 2"), std::string::npos);
  EXPECT_NE(parse_error("round()").find("round() takes 1 to 2"), std::string::npos);
  EXPECT_NE(parse_error("'open").find("unterminated string"), std::string::npos);
  EXPECT_NE(parse_error("1.2.3").find("bad number"), std::string::npos);
  EXPECT_NE(parse_error("amount; drop").find("position 6"), std::string::npos);
  EXPECT_NE(parse_error(std::string(100, '(') + "1" + std::string(100, ')')).find("nested too deeply"),
            std::string::npos);
  EXPECT_NE(parse_error(std::string(5000, '1')).find("longer than"), std::string::npos);
}

// --- property: random integer expressions against an evaluation of the generated tree ---------

struct generated {
  std::string text;
  std::optional<int64_t> value; ///< nothing = null (a null field or a division by zero)
};

class expression_generator {
 public:
  explicit expression_generator(uint32_t seed) : rng_(seed) {}

  generated make(int depth) {
    int pick = std::uniform_int_distribution<int>{0, depth <= 0 ? 2 : 9}(rng_);
    if (pick == 0) {
      int64_t v = std::uniform_int_distribution<int64_t>{0, 50}(rng_);
      return {std::to_string(v), v};
    }
    if (pick == 1) {
      static const char* names[] = {"a", "b", "c", "n.x", "missing"};
      std::string f = names[std::uniform_int_distribution<int>{0, 4}(rng_)];
      const auto* v = fields().get(f);
      if (!v || event::is_null(*v))
        return {f, std::nullopt};
      return {f, std::get<int64_t>(*v)};
    }
    if (pick == 2) {
      auto inner = make(depth - 1);
      return {"-(" + inner.text + ")", inner.value ? std::optional<int64_t>{-*inner.value} : std::nullopt};
    }
    if (pick == 3) {
      auto a = make(depth - 1), b = make(depth - 1);
      return {"coalesce(" + a.text + ", " + b.text + ")", a.value ? a.value : b.value};
    }
    auto a = make(depth - 1), b = make(depth - 1);
    static const char ops[] = {'+', '-', '*', '%'};
    char op = ops[std::uniform_int_distribution<int>{0, 3}(rng_)];
    std::optional<int64_t> v;
    if (a.value && b.value) {
      switch (op) {
        case '+': v = *a.value + *b.value; break;
        case '-': v = *a.value - *b.value; break;
        case '*': v = *a.value * *b.value; break;
        default:
          if (*b.value != 0)
            v = *a.value % *b.value;
      }
    }
    const char* space = std::uniform_int_distribution<int>{0, 1}(rng_) ? " " : "";
    return {"(" + a.text + space + op + space + b.text + ")", v};
  }

  static const event::record& fields() {
    static const event::record r = [] {
      event::record x;
      x.set("a", int64_t{7});
      x.set("b", int64_t{-3});
      x.set("c", int64_t{0});
      x.set("n.x", int64_t{11});
      x.set("missing", std::monostate{});
      return x;
    }();
    return r;
  }

 private:
  std::mt19937 rng_;
};

TEST(expression, agrees_with_a_direct_evaluation_on_random_integer_expressions) {
  expression_generator gen{20240611};
  int checked = 0;
  for (int i = 0; i < 3000; ++i) {
    auto g = gen.make(5); // depth 5 with values <= 50 keeps products far from overflow
    auto e = expression::parse(g.text, {});
    ASSERT_TRUE(e.ok()) << g.text << ": " << e.err().message;
    auto r = e->evaluate(expression_generator::fields(), [](size_t, const value&) -> result<std::optional<value>> {
      return std::optional<value>{};
    });
    ASSERT_TRUE(r.ok());
    if (g.value) {
      ASSERT_EQ(r->value, value{*g.value}) << g.text;
      ++checked;
    } else {
      ASSERT_TRUE(event::is_null(r->value)) << g.text;
    }
    EXPECT_FALSE(r->missed);
  }
  EXPECT_GT(checked, 1000) << "the generator should mostly produce non-null expressions";
}

} // namespace
} // namespace freshet::enrich
