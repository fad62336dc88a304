// The rule language's lexer and parser: recursive descent with every limit of `expression_limits`
// enforced while the tree is built, so the evaluator's recursion is bounded by construction.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "services/quality-gate/expression.hpp"

namespace freshet::quality_gate {

namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

struct function_name {
  const char* name;
  expression::function fn;
  size_t min_args, max_args;
};

constexpr function_name functions[] = {
  {"floor", expression::function::floor, 1, 1}, {"ceil", expression::function::ceil, 1, 1},
  {"round", expression::function::round, 1, 1}, {"abs", expression::function::abs, 1, 1},
  {"len", expression::function::len, 1, 1},     {"lower", expression::function::lower, 1, 1},
  {"upper", expression::function::upper, 1, 1}, {"coalesce", expression::function::coalesce, 1, 16},
};

enum class tok { end, number, string, ident, kw_true, kw_false, kw_null, lparen, rparen, comma,
                 or_, and_, not_, eq, ne, lt, le, gt, ge, plus, minus, star, slash, percent };

struct token {
  tok kind = tok::end;
  size_t pos = 0;
  std::string text; ///< identifier, or the decoded string literal
  double number = 0;
};

} // namespace

/// Recursive descent over the precedence levels, lowest first:
/// ||, &&, == !=, < <= > >=, + -, * / %, unary ! -, primary.
/// `nesting_` bounds the recursion of the parser; node depths bound the evaluator's.
class expression_parser {
 public:
  expression_parser(std::string_view text, const expression_limits& limits) : src_(text), limits_(limits) {}

  result<expression> run() {
    expression e;
    e.text_ = std::string{src_};
    out_ = &e;
    if (src_.size() > limits_.max_length) {
      fail("rule is " + std::to_string(src_.size()) + " characters long; the limit is " +
           std::to_string(limits_.max_length));
      return *error_;
    }
    if (!advance())
      return *error_;
    auto root = parse_or();
    if (error_)
      return *error_;
    if (cur_.kind != tok::end) {
      fail("unexpected '" + token_text() + "' at " + std::to_string(cur_.pos));
      return *error_;
    }
    e.root_ = root;
    return e;
  }

 private:
  /// Records the first error; parsing unwinds by returning -1 / false.
  void fail(std::string msg) {
    if (!error_)
      error_ = make_error(error_domain::config, 4, "rule: " + std::move(msg));
  }

  std::string token_text() const {
    if (cur_.kind == tok::end)
      return "end of rule";
    return std::string{src_.substr(cur_.pos, std::max<size_t>(1, std::min<size_t>(pos_ - cur_.pos, 20)))};
  }

  bool lex_string(char quote) {
    std::string s;
    ++pos_;
    while (pos_ < src_.size() && src_[pos_] != quote) {
      char c = src_[pos_++];
      if (c == '\\') {
        if (pos_ >= src_.size())
          break;
        char esc = src_[pos_++];
        switch (esc) {
          case '\\': s += '\\'; break;
          case '"': s += '"'; break;
          case '\'': s += '\''; break;
          case 'n': s += '\n'; break;
          case 't': s += '\t'; break;
          case 'r': s += '\r'; break;
          default:
            fail(std::string{"unknown escape '\\"} + esc + "' at " + std::to_string(pos_ - 2));
            return false;
        }
      } else {
        s += c;
      }
    }
    if (pos_ >= src_.size()) {
      fail("unterminated string starting at " + std::to_string(cur_.pos));
      return false;
    }
    ++pos_;
    cur_.kind = tok::string;
    cur_.text = std::move(s);
    return true;
  }

  bool lex_number() {
    size_t start = pos_;
    while (pos_ < src_.size() && is_digit(src_[pos_]))
      ++pos_;
    if (pos_ < src_.size() && src_[pos_] == '.') {
      ++pos_;
      while (pos_ < src_.size() && is_digit(src_[pos_]))
        ++pos_;
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-'))
        ++pos_;
      while (pos_ < src_.size() && is_digit(src_[pos_]))
        ++pos_;
    }
    double v = 0;
    auto [end, ec] = std::from_chars(src_.data() + start, src_.data() + pos_, v);
    if (ec != std::errc{} || end != src_.data() + pos_ || !std::isfinite(v) ||
        (pos_ < src_.size() && is_ident_char(src_[pos_]))) {
      fail("bad number at " + std::to_string(start));
      return false;
    }
    cur_.kind = tok::number;
    cur_.number = v;
    return true;
  }

  bool lex_ident() {
    size_t start = pos_;
    while (true) {
      while (pos_ < src_.size() && is_ident_char(src_[pos_]))
        ++pos_;
      if (pos_ + 1 < src_.size() && src_[pos_] == '.' && is_ident_char(src_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      break;
    }
    cur_.text = std::string{src_.substr(start, pos_ - start)};
    cur_.kind = cur_.text == "true" ? tok::kw_true
                : cur_.text == "false" ? tok::kw_false
                : cur_.text == "null"  ? tok::kw_null
                                       : tok::ident;
    return true;
  }

  /// Reads the next token into cur_; false (with error_ set) on a lexical error.
  bool advance() {
    while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r'))
      ++pos_;
    cur_ = token{};
    cur_.pos = pos_;
    if (pos_ >= src_.size())
      return true;
    char c = src_[pos_];
    char next = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    auto two = [&](tok k) {
      pos_ += 2;
      cur_.kind = k;
      return true;
    };
    auto one = [&](tok k) {
      pos_ += 1;
      cur_.kind = k;
      return true;
    };
    if (c == '"' || c == '\'')
      return lex_string(c);
    if (is_digit(c) || (c == '.' && is_digit(next)))
      return lex_number();
    if (is_ident_start(c))
      return lex_ident();
    switch (c) {
      case '(': return one(tok::lparen);
      case ')': return one(tok::rparen);
      case ',': return one(tok::comma);
      case '+': return one(tok::plus);
      case '-': return one(tok::minus);
      case '*': return one(tok::star);
      case '/': return one(tok::slash);
      case '%': return one(tok::percent);
      case '|':
        if (next == '|')
          return two(tok::or_);
        break;
      case '&':
        if (next == '&')
          return two(tok::and_);
        break;
      case '!': return next == '=' ? two(tok::ne) : one(tok::not_);
      case '=':
        if (next == '=')
          return two(tok::eq);
        fail("use == to compare (at " + std::to_string(pos_) + ")");
        return false;
      case '<': return next == '=' ? two(tok::le) : one(tok::lt);
      case '>': return next == '=' ? two(tok::ge) : one(tok::gt);
      default: break;
    }
    char shown[8];
    std::snprintf(shown, sizeof shown, (c >= 32 && c < 127) ? "%c" : "\\x%02x", static_cast<unsigned char>(c));
    fail(std::string{"unexpected character '"} + shown + "' at " + std::to_string(pos_));
    return false;
  }

  /// Adds a node, enforcing the node count and the tree depth.
  int32_t add(expression::node n) {
    if (error_)
      return -1;
    int d = 1;
    for (int32_t child : {n.lhs, n.rhs})
      if (child >= 0)
        d = std::max(d, depth_[static_cast<size_t>(child)] + 1);
    for (int32_t child : n.args)
      d = std::max(d, depth_[static_cast<size_t>(child)] + 1);
    if (d > limits_.max_depth) {
      fail("rule nests deeper than " + std::to_string(limits_.max_depth) + " levels");
      return -1;
    }
    if (out_->nodes_.size() >= limits_.max_nodes) {
      fail("rule has more than " + std::to_string(limits_.max_nodes) + " terms");
      return -1;
    }
    out_->nodes_.push_back(std::move(n));
    depth_.push_back(d);
    return static_cast<int32_t>(out_->nodes_.size() - 1);
  }

  int32_t binary(expression::op kind, int32_t lhs, int32_t rhs) {
    if (error_ || lhs < 0 || rhs < 0)
      return -1;
    expression::node n;
    n.kind = kind;
    n.lhs = lhs;
    n.rhs = rhs;
    return add(std::move(n));
  }

  template <class Next>
  int32_t left_assoc(Next next, std::initializer_list<std::pair<tok, expression::op>> ops) {
    int32_t lhs = (this->*next)();
    while (!error_) {
      const std::pair<tok, expression::op>* match = nullptr;
      for (const auto& o : ops)
        if (cur_.kind == o.first)
          match = &o;
      if (!match)
        break;
      if (!advance())
        return -1;
      int32_t rhs = (this->*next)();
      lhs = binary(match->second, lhs, rhs);
    }
    return lhs;
  }

  int32_t parse_or() { return left_assoc(&expression_parser::parse_and, {{tok::or_, expression::op::or_}}); }
  int32_t parse_and() { return left_assoc(&expression_parser::parse_equality, {{tok::and_, expression::op::and_}}); }
  int32_t parse_equality() {
    return left_assoc(&expression_parser::parse_comparison, {{tok::eq, expression::op::eq}, {tok::ne, expression::op::ne}});
  }
  int32_t parse_comparison() {
    return left_assoc(&expression_parser::parse_additive, {{tok::lt, expression::op::lt},
                                                           {tok::le, expression::op::le},
                                                           {tok::gt, expression::op::gt},
                                                           {tok::ge, expression::op::ge}});
  }
  int32_t parse_additive() {
    return left_assoc(&expression_parser::parse_multiplicative,
                      {{tok::plus, expression::op::add}, {tok::minus, expression::op::sub}});
  }
  int32_t parse_multiplicative() {
    return left_assoc(&expression_parser::parse_unary, {{tok::star, expression::op::mul},
                                                        {tok::slash, expression::op::div},
                                                        {tok::percent, expression::op::mod}});
  }

  int32_t parse_unary() {
    if (++nesting_ > limits_.max_depth) {
      fail("rule nests deeper than " + std::to_string(limits_.max_depth) + " levels");
      return -1;
    }
    int32_t out = -1;
    if (cur_.kind == tok::not_ || cur_.kind == tok::minus) {
      auto kind = cur_.kind == tok::not_ ? expression::op::not_ : expression::op::neg;
      if (advance()) {
        int32_t operand = parse_unary();
        if (operand >= 0) {
          expression::node n;
          n.kind = kind;
          n.lhs = operand;
          out = add(std::move(n));
        }
      }
    } else {
      out = parse_primary();
    }
    --nesting_;
    return out;
  }

  int32_t literal(expr_value v) {
    expression::node n;
    n.kind = expression::op::literal;
    n.literal = std::move(v);
    int32_t idx = add(std::move(n));
    return advance() ? idx : -1;
  }

  int32_t parse_primary() {
    switch (cur_.kind) {
      case tok::number: return literal(cur_.number);
      case tok::string: return literal(cur_.text);
      case tok::kw_true: return literal(true);
      case tok::kw_false: return literal(false);
      case tok::kw_null: return literal(std::monostate{});
      case tok::lparen: {
        if (!advance())
          return -1;
        int32_t inner = parse_or();
        if (error_)
          return -1;
        if (cur_.kind != tok::rparen) {
          fail("expected ')' at " + std::to_string(cur_.pos));
          return -1;
        }
        return advance() ? inner : -1;
      }
      case tok::ident: {
        auto name = cur_.text;
        auto at = cur_.pos;
        if (!advance())
          return -1;
        if (cur_.kind == tok::lparen)
          return parse_call(name, at);
        expression::node n;
        n.kind = expression::op::field;
        auto& fields = out_->fields_;
        auto it = std::find(fields.begin(), fields.end(), name);
        n.field = static_cast<int32_t>(it - fields.begin());
        if (it == fields.end())
          fields.push_back(name);
        return add(std::move(n));
      }
      default:
        fail("expected a value, a field or '(' at " + std::to_string(cur_.pos) + ", found '" + token_text() + "'");
        return -1;
    }
  }

  int32_t parse_call(const std::string& name, size_t at) {
    const function_name* f = nullptr;
    for (const auto& cand : functions)
      if (name == cand.name)
        f = &cand;
    if (!f) {
      fail("unknown function '" + name + "' at " + std::to_string(at) +
           " (known: floor, ceil, round, abs, len, lower, upper, coalesce)");
      return -1;
    }
    if (!advance())
      return -1;
    expression::node n;
    n.kind = expression::op::call;
    n.fn = f->fn;
    if (cur_.kind != tok::rparen) {
      while (true) {
        int32_t arg = parse_or();
        if (error_)
          return -1;
        n.args.push_back(arg);
        if (n.args.size() > f->max_args) {
          fail(name + " takes at most " + std::to_string(f->max_args) + " argument(s)");
          return -1;
        }
        if (cur_.kind == tok::comma) {
          if (!advance())
            return -1;
          continue;
        }
        break;
      }
    }
    if (cur_.kind != tok::rparen) {
      fail("expected ')' or ',' at " + std::to_string(cur_.pos));
      return -1;
    }
    if (n.args.size() < f->min_args) {
      fail(name + " takes " + std::to_string(f->min_args) + " argument(s)");
      return -1;
    }
    int32_t idx = add(std::move(n));
    return advance() ? idx : -1;
  }

  std::string_view src_;
  expression_limits limits_;
  size_t pos_ = 0;
  token cur_;
  int nesting_ = 0;
  std::optional<error> error_;
  expression* out_ = nullptr;
  std::vector<int> depth_;
};

result<expression> expression::parse(std::string_view text, const expression_limits& limits) {
  return expression_parser{text, limits}.run();
}

} // namespace freshet::quality_gate
