#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/base/result.hpp"
#include "common/event/record.hpp"

namespace freshet::quality_gate {

/// A value while a rule is evaluated: null, boolean, number (every number is a double) or string.
using expr_value = std::variant<std::monostate, bool, double, std::string>;

/// Where a rule's field references are looked up (an event plus its metadata).
class field_source {
 public:
  virtual ~field_source() = default;
  /// The value at a dotted path, or nullptr when the event has no such field.
  [[nodiscard]] virtual const event::value* find(std::string_view path) const = 0;
};

/// Bounds that keep parsing and evaluation cheap whatever the text: rules come from the spec, but
/// a fuzzer (or a careless edit) must get an error, never a crash or a runaway.
struct expression_limits {
  size_t max_length = 4096; ///< characters of rule text
  int max_depth = 100;      ///< nesting of the syntax tree (bounds the evaluator's recursion)
  size_t max_nodes = 1024;  ///< syntax tree nodes
};

/// A cross-field rule: a tiny, side-effect-free expression language.
///
///   literals     42  -1.5  2e3  "text"  'text'  true  false  null
///   fields       amount  geo.country          (dotted paths into the event)
///   operators    ||  &&  !   ==  !=  <  <=  >  >=   +  -  *  /  %   ( )
///   functions    floor ceil round abs len lower upper coalesce
///
/// Semantics: numbers are doubles; a missing field is null. `==`/`!=` compare type and value
/// (null == null; 1 != "1"). Ordering compares two numbers or two strings, anything else is null.
/// Arithmetic on a non-number, division by zero or a non-finite result is null. `&&`, `||` and `!`
/// are three-valued (false && null = false, true || null = true, otherwise null propagates) and
/// short-circuit. `len` counts code points; `lower`/`upper` change ASCII letters. A rule holds
/// only when it evaluates to `true`.
///
/// Immutable after `parse`; `evaluate` may run concurrently from several threads.
class expression {
 public:
  [[nodiscard]] static result<expression> parse(std::string_view text, const expression_limits& limits = {});

  [[nodiscard]] expr_value evaluate(const field_source& fields) const;
  [[nodiscard]] bool holds(const field_source& fields) const;

  [[nodiscard]] const std::string& text() const { return text_; }
  /// The field paths the rule reads, each once, in order of first appearance.
  [[nodiscard]] const std::vector<std::string>& fields() const { return fields_; }

  enum class op : uint8_t { literal, field, neg, not_, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge, and_, or_, call };
  enum class function : uint8_t { floor, ceil, round, abs, len, lower, upper, coalesce };

  struct node {
    op kind = op::literal;
    function fn = function::floor;
    int32_t lhs = -1;
    int32_t rhs = -1;
    int32_t field = -1;          ///< index into fields_
    std::vector<int32_t> args;   ///< call arguments
    expr_value literal;
  };

 private:
  friend class expression_parser;
  [[nodiscard]] expr_value eval(int32_t idx, const field_source& fields) const;

  std::string text_;
  std::vector<node> nodes_;
  std::vector<std::string> fields_;
  int32_t root_ = -1;
};

/// Text form of a value for messages ("null", "true", "3.5", "\"JPY\""), cut to `max_chars`.
[[nodiscard]] std::string describe(const expr_value& v, size_t max_chars = 40);

} // namespace freshet::quality_gate
