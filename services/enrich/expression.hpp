#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/event/record.hpp"

namespace freshet::enrich {

/// Answers a call of the spec's i-th lookup function (`fx(currency)`): the column's value, or
/// nothing when the table has no row for the argument. Errors are retriable (a store is down).
using function_caller =
  std::function<result<std::optional<event::value>>(size_t function, const event::value& argument)>;

/// What an expression evaluated to.
struct eval_result {
  event::value value;
  /// The value is null because a lookup function found no row (so the field's miss policy applies).
  bool missed = false;
};

/// A small, safe arithmetic language for computed fields: `amount * fx(currency)`.
///
/// Grammar: numbers (`12`, `0.5`, `1e3`), strings (`'EUR'` or `"EUR"`), `null`, `true`, `false`,
/// field paths (`amount`, `user.segment`), `+ - * / %` with the usual precedence, unary minus,
/// parentheses, and calls: the builtins `abs(x)`, `round(x[, digits])`, `floor(x)`, `ceil(x)`,
/// `min(a, b, ...)`, `max(a, b, ...)`, `coalesce(a, b, ...)` and the lookup functions the spec declares.
///
/// Semantics: null in, null out — an absent or null field, a non-numeric operand, division by zero
/// or a non-finite result make the value null; `coalesce` picks its first non-null argument and
/// evaluates no further. Integer `+ - * %` stay integers (widening to double on overflow); `/` is
/// always a double. A lookup function given null returns null without a lookup.
///
/// There are no loops, assignments or side effects, and parsing bounds the text length and the
/// nesting depth, so evaluation is linear in the expression's size. Immutable after `parse`.
class expression {
 public:
  /// `functions` are the names of the spec's lookup functions; a call to the i-th reaches the
  /// caller with index i. Errors name the position of the problem.
  [[nodiscard]] static result<expression> parse(std::string_view text, const std::vector<std::string>& functions);

  /// Never fails for data reasons (those give null); only lookup errors propagate.
  [[nodiscard]] result<eval_result> evaluate(const event::record& rec, const function_caller& call) const;

  /// The field paths the expression reads, in order of appearance.
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }
  [[nodiscard]] const std::string& text() const { return text_; }

  /// The names a spec's lookup function must not take.
  [[nodiscard]] static const std::vector<std::string>& builtin_names();

 private:
  friend class expression_parser;
  friend class expression_evaluator;

  struct node {
    enum class kind : uint8_t { literal, field, negate, add, sub, mul, div, mod, builtin, lookup };
    kind k = kind::literal;
    event::value literal;
    std::string path;
    int function = -1; ///< builtin id or lookup-function index
    std::vector<uint32_t> args;
  };

  std::string text_;
  std::vector<node> nodes_;
  uint32_t root_ = 0;
  std::vector<std::string> fields_;
};

} // namespace freshet::enrich
