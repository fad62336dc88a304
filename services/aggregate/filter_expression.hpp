#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::aggregate {

/// A value inside a filter: null, a boolean, a number (double), or text. Text from the event is a
/// view (valid during one evaluation); text a function computes is owned.
using filter_value = std::variant<std::monostate, bool, double, std::string_view, std::string>;

/// Looks a field (dotted path) up in the event being judged; null when it is absent.
using field_lookup = std::function<filter_value(std::string_view path)>;

/// A metric's `filter:` — a small, safe boolean expression over an event's fields, compiled once.
///
/// Language: number, string ('…' or "…"), `true`, `false`, `null` literals; field paths
/// (`amount`, `geo.country`); `||`, `&&`, `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`,
/// `%`, parentheses; `x in [lit, ...]`; functions `lower`, `upper`, `len`, `abs`, `coalesce`,
/// `starts_with`, `contains`.
/// Semantics: a missing field is null; `==` compares type and value (`null == null`, `1 != "1"`);
/// ordering compares numbers with numbers and text with text, anything else is null; arithmetic
/// on a non-number (or a division by zero) is null; `&&`, `||`, `!` are three-valued. An event
/// passes only when the whole expression is `true`.
/// Bounds: 4096 characters, 100 levels of nesting, 1024 terms. No loops, no side effects: the same
/// event always gets the same verdict (replays and restores rely on it). Thread-compatible: `eval`
/// is const.
class filter_expression {
 public:
  /// Parses `text`; a `config` error naming the position when it is not a valid expression.
  [[nodiscard]] static result<filter_expression> compile(std::string_view text);

  /// The expression's value for one event.
  [[nodiscard]] filter_value eval(const field_lookup& lookup) const;
  /// True when the expression is `true` for the event.
  [[nodiscard]] bool matches(const field_lookup& lookup) const;

  [[nodiscard]] const std::string& text() const { return text_; }
  /// The field paths the expression reads, each once.
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }

  enum class op : uint8_t {
    literal, field, neg, not_, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge, and_, or_, in, call
  };

  struct node {
    op kind = op::literal;
    filter_value value;      ///< literal (strings owned)
    std::string name;        ///< field path or function name
    std::vector<uint32_t> args; ///< operand node indices
  };

 private:
  friend class filter_parser;
  [[nodiscard]] filter_value eval_node(uint32_t i, const field_lookup& lookup) const;

  std::string text_;
  std::vector<node> nodes_;
  uint32_t root_ = 0;
  std::vector<std::string> fields_;
};

} // namespace freshet::aggregate
