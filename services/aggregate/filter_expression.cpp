#include "services/aggregate/filter_expression.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace freshet::aggregate {

namespace {

constexpr size_t max_text = 4096;
constexpr int max_depth = 100;
constexpr size_t max_nodes = 1024;

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

std::string_view text_of(const filter_value& v) {
  if (const auto* s = std::get_if<std::string_view>(&v))
    return *s;
  return std::get<std::string>(v);
}

bool is_text(const filter_value& v) {
  return std::holds_alternative<std::string_view>(v) || std::holds_alternative<std::string>(v);
}

const double* number_of(const filter_value& v) { return std::get_if<double>(&v); }

/// Three-valued logic: true, false, or unknown (null, and anything that is not a boolean).
enum class tri { f, t, unknown };

tri truth(const filter_value& v) {
  if (const auto* b = std::get_if<bool>(&v))
    return *b ? tri::t : tri::f;
  return tri::unknown;
}

filter_value from_tri(tri t) {
  if (t == tri::unknown)
    return std::monostate{};
  return t == tri::t;
}

bool equal(const filter_value& a, const filter_value& b) {
  if (std::holds_alternative<std::monostate>(a) || std::holds_alternative<std::monostate>(b))
    return std::holds_alternative<std::monostate>(a) && std::holds_alternative<std::monostate>(b);
  if (const auto* x = number_of(a)) {
    const auto* y = number_of(b);
    return y != nullptr && *x == *y;
  }
  if (const auto* x = std::get_if<bool>(&a)) {
    const auto* y = std::get_if<bool>(&b);
    return y != nullptr && *x == *y;
  }
  return is_text(b) && text_of(a) == text_of(b);
}

} // namespace

/// Recursive descent over the expression text, building the node list.
class filter_parser {
 public:
  filter_parser(std::string_view text, filter_expression& out) : s_(text), out_(out) {}

  status parse() {
    auto root = expr(0);
    if (!root)
      return root.err();
    skip_space();
    if (pos_ != s_.size())
      return fail("unexpected '" + std::string{s_.substr(pos_, 1)} + "'");
    out_.root_ = *root;
    return {};
  }

 private:
  using op = filter_expression::op;

  error fail(const std::string& why) const {
    return make_error(error_domain::config, 5,
                      "filter '" + std::string{s_} + "': " + why + " at position " + std::to_string(pos_ + 1));
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }

  bool eat(std::string_view tok) {
    skip_space();
    if (s_.substr(pos_, tok.size()) != tok)
      return false;
    // Words must end at a word boundary ("in" is not the start of "index").
    if (is_ident_start(tok.front()) && pos_ + tok.size() < s_.size() && is_ident_char(s_[pos_ + tok.size()]))
      return false;
    pos_ += tok.size();
    return true;
  }

  result<uint32_t> add(filter_expression::node n) {
    if (out_.nodes_.size() >= max_nodes)
      return fail("more than 1024 terms");
    out_.nodes_.push_back(std::move(n));
    return static_cast<uint32_t>(out_.nodes_.size() - 1);
  }

  result<uint32_t> binary(op k, uint32_t a, uint32_t b) {
    filter_expression::node n;
    n.kind = k;
    n.args = {a, b};
    return add(std::move(n));
  }

  result<uint32_t> expr(int depth) {
    if (depth > max_depth)
      return fail("nesting deeper than 100 levels");
    return or_expr(depth);
  }

  result<uint32_t> or_expr(int depth) {
    auto left = and_expr(depth);
    if (!left)
      return left;
    while (eat("||")) {
      auto right = and_expr(depth);
      if (!right)
        return right;
      left = binary(op::or_, *left, *right);
      if (!left)
        return left;
    }
    return left;
  }

  result<uint32_t> and_expr(int depth) {
    auto left = comparison(depth);
    if (!left)
      return left;
    while (eat("&&")) {
      auto right = comparison(depth);
      if (!right)
        return right;
      left = binary(op::and_, *left, *right);
      if (!left)
        return left;
    }
    return left;
  }

  result<uint32_t> comparison(int depth) {
    auto left = additive(depth);
    if (!left)
      return left;
    struct cmp {
      std::string_view tok;
      op kind;
    };
    // Longer tokens first: "<=" before "<".
    static constexpr cmp ops[] = {{"==", op::eq}, {"!=", op::ne}, {"<=", op::le},
                                  {">=", op::ge}, {"<", op::lt},  {">", op::gt}};
    for (const auto& c : ops)
      if (eat(c.tok)) {
        auto right = additive(depth);
        if (!right)
          return right;
        return binary(c.kind, *left, *right);
      }
    if (eat("in"))
      return in_list(*left);
    return left;
  }

  result<uint32_t> in_list(uint32_t subject) {
    if (!eat("["))
      return fail("'in' takes a list like [\"a\", \"b\"]");
    filter_expression::node n;
    n.kind = op::in;
    n.args.push_back(subject);
    if (!eat("]")) {
      do {
        auto lit = literal_only();
        if (!lit)
          return lit;
        n.args.push_back(*lit);
      } while (eat(","));
      if (!eat("]"))
        return fail("expected ']'");
    }
    return add(std::move(n));
  }

  result<uint32_t> additive(int depth) {
    auto left = multiplicative(depth);
    if (!left)
      return left;
    while (true) {
      op k;
      if (eat("+"))
        k = op::add;
      else if (peek_minus())
        k = op::sub;
      else
        return left;
      auto right = multiplicative(depth);
      if (!right)
        return right;
      left = binary(k, *left, *right);
      if (!left)
        return left;
    }
  }

  bool peek_minus() { return eat("-"); }

  result<uint32_t> multiplicative(int depth) {
    auto left = unary(depth);
    if (!left)
      return left;
    while (true) {
      op k;
      if (eat("*"))
        k = op::mul;
      else if (eat("/"))
        k = op::div;
      else if (eat("%"))
        k = op::mod;
      else
        return left;
      auto right = unary(depth);
      if (!right)
        return right;
      left = binary(k, *left, *right);
      if (!left)
        return left;
    }
  }

  result<uint32_t> unary(int depth) {
    if (depth > max_depth)
      return fail("nesting deeper than 100 levels");
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '!' && (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '=')) {
      ++pos_;
      auto inner = unary(depth + 1);
      if (!inner)
        return inner;
      filter_expression::node n;
      n.kind = op::not_;
      n.args = {*inner};
      return add(std::move(n));
    }
    if (eat("-")) {
      auto inner = unary(depth + 1);
      if (!inner)
        return inner;
      filter_expression::node n;
      n.kind = op::neg;
      n.args = {*inner};
      return add(std::move(n));
    }
    return primary(depth);
  }

  result<uint32_t> literal_only() {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '-') {
      ++pos_;
      auto n = number();
      if (!n)
        return n;
      auto& v = out_.nodes_[*n].value;
      v = -std::get<double>(v);
      return n;
    }
    if (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.'))
      return number();
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\''))
      return string_literal();
    for (auto [word, value] : {std::pair<std::string_view, filter_value>{"true", true},
                               {"false", false}, {"null", std::monostate{}}})
      if (eat(word)) {
        filter_expression::node n;
        n.value = value;
        return add(std::move(n));
      }
    return fail("expected a literal (number, string, true, false or null)");
  }

  result<uint32_t> number() {
    char* end = nullptr;
    std::string copy{s_.substr(pos_, std::min<size_t>(64, s_.size() - pos_))};
    double v = std::strtod(copy.c_str(), &end);
    size_t used = static_cast<size_t>(end - copy.c_str());
    if (used == 0 || !std::isfinite(v))
      return fail("bad number");
    pos_ += used;
    filter_expression::node n;
    n.value = v;
    return add(std::move(n));
  }

  result<uint32_t> string_literal() {
    char quote = s_[pos_++];
    std::string v;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size())
        ++pos_;
      v.push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size())
      return fail("unterminated string");
    ++pos_;
    filter_expression::node n;
    n.value = std::move(v);
    return add(std::move(n));
  }

  result<uint32_t> primary(int depth) {
    skip_space();
    if (pos_ >= s_.size())
      return fail("unexpected end");
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = expr(depth + 1);
      if (!inner)
        return inner;
      if (!eat(")"))
        return fail("expected ')'");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '"' || c == '\'')
      return literal_only();
    if (!is_ident_start(c))
      return fail("unexpected '" + std::string(1, c) + "'");
    size_t start = pos_;
    while (pos_ < s_.size() && is_ident_char(s_[pos_]))
      ++pos_;
    std::string name{s_.substr(start, pos_ - start)};
    if (name == "true" || name == "false" || name == "null") {
      pos_ = start;
      return literal_only();
    }
    if (eat("("))
      return call(std::move(name), depth);
    if (name.back() == '.' || name.find("..") != std::string::npos)
      return fail("bad field name '" + name + "'");
    filter_expression::node n;
    n.kind = op::field;
    n.name = name;
    if (std::find(out_.fields_.begin(), out_.fields_.end(), name) == out_.fields_.end())
      out_.fields_.push_back(name);
    return add(std::move(n));
  }

  result<uint32_t> call(std::string name, int depth) {
    struct arity {
      std::string_view name;
      size_t min, max;
    };
    static constexpr arity functions[] = {{"lower", 1, 1},       {"upper", 1, 1}, {"len", 1, 1},
                                          {"abs", 1, 1},         {"coalesce", 1, 16},
                                          {"starts_with", 2, 2}, {"contains", 2, 2}};
    const arity* f = nullptr;
    for (const auto& a : functions)
      if (a.name == name)
        f = &a;
    if (f == nullptr)
      return fail("unknown function '" + name + "'");
    filter_expression::node n;
    n.kind = op::call;
    n.name = std::move(name);
    if (!eat(")")) {
      do {
        auto arg = expr(depth + 1);
        if (!arg)
          return arg;
        n.args.push_back(*arg);
      } while (eat(","));
      if (!eat(")"))
        return fail("expected ')' after the arguments of " + n.name);
    }
    if (n.args.size() < f->min || n.args.size() > f->max)
      return fail(n.name + " takes " + std::to_string(f->min) +
                  (f->max != f->min ? ".." + std::to_string(f->max) : "") + " argument(s)");
    return add(std::move(n));
  }

  std::string_view s_;
  filter_expression& out_;
  size_t pos_ = 0;
};

result<filter_expression> filter_expression::compile(std::string_view text) {
  filter_expression f;
  f.text_ = std::string{text};
  if (text.size() > max_text)
    return make_error(error_domain::config, 5, "filter is longer than 4096 characters");
  // Parse the owned copy: string literals and field names are copied out of it anyway.
  filter_parser p{f.text_, f};
  FRESHET_TRY(p.parse());
  return f;
}

bool filter_expression::matches(const field_lookup& lookup) const {
  auto v = eval(lookup);
  const auto* b = std::get_if<bool>(&v);
  return b != nullptr && *b;
}

filter_value filter_expression::eval(const field_lookup& lookup) const {
  if (nodes_.empty())
    return true;
  return eval_node(root_, lookup);
}

filter_value filter_expression::eval_node(uint32_t i, const field_lookup& lookup) const {
  const node& n = nodes_[i];
  auto arg = [&](size_t k) { return eval_node(n.args[k], lookup); };
  switch (n.kind) {
    case op::literal: {
      if (const auto* s = std::get_if<std::string>(&n.value))
        return std::string_view{*s};
      return n.value;
    }
    case op::field: return lookup(n.name);
    case op::neg: {
      auto v = arg(0);
      if (const auto* x = number_of(v))
        return -*x;
      return std::monostate{};
    }
    case op::not_: {
      auto t = truth(arg(0));
      return t == tri::unknown ? filter_value{} : filter_value{t == tri::f};
    }
    case op::add:
    case op::sub:
    case op::mul:
    case op::div:
    case op::mod: {
      auto a = arg(0), b = arg(1);
      const auto *x = number_of(a), *y = number_of(b);
      if (x == nullptr || y == nullptr)
        return std::monostate{};
      switch (n.kind) {
        case op::add: return *x + *y;
        case op::sub: return *x - *y;
        case op::mul: return *x * *y;
        case op::div: return *y == 0 ? filter_value{} : filter_value{*x / *y};
        default: return *y == 0 ? filter_value{} : filter_value{std::fmod(*x, *y)};
      }
    }
    case op::eq: return equal(arg(0), arg(1));
    case op::ne: return !equal(arg(0), arg(1));
    case op::lt:
    case op::le:
    case op::gt:
    case op::ge: {
      auto a = arg(0), b = arg(1);
      int c = 0;
      if (const auto *x = number_of(a), *y = number_of(b); x != nullptr && y != nullptr)
        c = *x < *y ? -1 : (*x > *y ? 1 : 0);
      else if (is_text(a) && is_text(b))
        c = text_of(a).compare(text_of(b)) < 0 ? -1 : (text_of(a) == text_of(b) ? 0 : 1);
      else
        return std::monostate{};
      switch (n.kind) {
        case op::lt: return c < 0;
        case op::le: return c <= 0;
        case op::gt: return c > 0;
        default: return c >= 0;
      }
    }
    case op::and_: {
      auto a = truth(arg(0));
      if (a == tri::f)
        return false;
      auto b = truth(arg(1));
      if (b == tri::f)
        return false;
      return from_tri(a == tri::t && b == tri::t ? tri::t : tri::unknown);
    }
    case op::or_: {
      auto a = truth(arg(0));
      if (a == tri::t)
        return true;
      auto b = truth(arg(1));
      if (b == tri::t)
        return true;
      return from_tri(a == tri::f && b == tri::f ? tri::f : tri::unknown);
    }
    case op::in: {
      auto subject = arg(0);
      for (size_t k = 1; k < n.args.size(); ++k)
        if (equal(subject, arg(k)))
          return true;
      return false;
    }
    case op::call: {
      if (n.name == "coalesce") {
        for (size_t k = 0; k < n.args.size(); ++k) {
          auto v = arg(k);
          if (!std::holds_alternative<std::monostate>(v))
            return v;
        }
        return std::monostate{};
      }
      auto a = arg(0);
      if (n.name == "abs") {
        if (const auto* x = number_of(a))
          return std::fabs(*x);
        return std::monostate{};
      }
      if (!is_text(a))
        return std::monostate{};
      auto s = text_of(a);
      if (n.name == "len")
        return static_cast<double>(s.size());
      if (n.name == "lower" || n.name == "upper") {
        std::string out{s};
        for (auto& c : out)
          c = static_cast<char>(n.name == "lower" ? std::tolower(static_cast<unsigned char>(c))
                                                  : std::toupper(static_cast<unsigned char>(c)));
        return out;
      }
      auto b = arg(1);
      if (!is_text(b))
        return std::monostate{};
      auto t = text_of(b);
      if (n.name == "starts_with")
        return s.substr(0, t.size()) == t;
      return s.find(t) != std::string_view::npos; // contains
    }
  }
  return std::monostate{};
}

} // namespace freshet::aggregate
