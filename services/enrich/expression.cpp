#include "services/enrich/expression.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace freshet::enrich {

namespace {

constexpr size_t max_text = 4096;
constexpr int max_depth = 64;
constexpr size_t max_nodes = 1024;

enum builtin : int { b_abs, b_round, b_floor, b_ceil, b_min, b_max, b_coalesce };

struct builtin_info {
  const char* name;
  size_t min_args;
  size_t max_args;
};

constexpr builtin_info builtins[] = {
  {"abs", 1, 1}, {"round", 1, 2}, {"floor", 1, 1}, {"ceil", 1, 1}, {"min", 2, 64}, {"max", 2, 64}, {"coalesce", 1, 64},
};

error expr_error(std::string_view text, size_t pos, const std::string& what) {
  return make_error(error_domain::config, 10,
                    "expression '" + std::string{text} + "': " + what + " at position " + std::to_string(pos));
}

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Numbers for arithmetic: integers stay exact, doubles stay doubles; anything else is not a number.
struct number {
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
  [[nodiscard]] double as_double() const { return is_int ? static_cast<double>(i) : d; }
};

std::optional<number> to_number(const event::value& v) {
  if (auto i = std::get_if<int64_t>(&v))
    return number{true, *i, 0};
  if (auto d = std::get_if<double>(&v))
    return number{false, 0, *d};
  return std::nullopt;
}

event::value from_double(double d) {
  if (!std::isfinite(d))
    return std::monostate{};
  return d;
}

} // namespace

class expression_parser {
 public:
  expression_parser(expression& e, const std::vector<std::string>& functions) : e_(e), fns_(functions) {}

  status run() {
    skip_space();
    auto root = parse_sum(0);
    if (!root)
      return root.err();
    skip_space();
    if (pos_ != text().size())
      return fail("unexpected '" + std::string(1, text()[pos_]) + "'");
    e_.root_ = *root;
    return {};
  }

 private:
  using node = expression::node;

  const std::string& text() const { return e_.text_; }
  error fail(const std::string& what) const { return expr_error(text(), pos_, what); }

  void skip_space() {
    while (pos_ < text().size() && std::isspace(static_cast<unsigned char>(text()[pos_])))
      ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text().size() && text()[pos_] == c) {
      ++pos_;
      skip_space();
      return true;
    }
    return false;
  }

  result<uint32_t> add(node n) {
    if (e_.nodes_.size() >= max_nodes)
      return fail("expression too large");
    e_.nodes_.push_back(std::move(n));
    return static_cast<uint32_t>(e_.nodes_.size() - 1);
  }

  result<uint32_t> binary(node::kind k, uint32_t l, uint32_t r) {
    node n;
    n.k = k;
    n.args = {l, r};
    return add(std::move(n));
  }

  result<uint32_t> parse_sum(int depth) {
    auto left = parse_product(depth);
    if (!left)
      return left;
    while (true) {
      node::kind k;
      if (eat('+'))
        k = node::kind::add;
      else if (eat('-'))
        k = node::kind::sub;
      else
        return left;
      auto right = parse_product(depth);
      if (!right)
        return right;
      left = binary(k, *left, *right);
      if (!left)
        return left;
    }
  }

  result<uint32_t> parse_product(int depth) {
    auto left = parse_unary(depth);
    if (!left)
      return left;
    while (true) {
      node::kind k;
      if (eat('*'))
        k = node::kind::mul;
      else if (eat('/'))
        k = node::kind::div;
      else if (eat('%'))
        k = node::kind::mod;
      else
        return left;
      auto right = parse_unary(depth);
      if (!right)
        return right;
      left = binary(k, *left, *right);
      if (!left)
        return left;
    }
  }

  result<uint32_t> parse_unary(int depth) {
    if (depth > max_depth)
      return fail("nested too deeply");
    if (eat('-')) {
      auto inner = parse_unary(depth + 1);
      if (!inner)
        return inner;
      node n;
      n.k = node::kind::negate;
      n.args = {*inner};
      return add(std::move(n));
    }
    if (eat('+'))
      return parse_unary(depth + 1);
    return parse_primary(depth);
  }

  result<uint32_t> parse_primary(int depth) {
    skip_space();
    if (pos_ >= text().size())
      return fail("unexpected end");
    char c = text()[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = parse_sum(depth + 1);
      if (!inner)
        return inner;
      if (!eat(')'))
        return fail("expected ')'");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.')
      return parse_number();
    if (c == '\'' || c == '"')
      return parse_string(c);
    if (ident_start(c))
      return parse_name(depth);
    return fail("unexpected '" + std::string(1, c) + "'");
  }

  result<uint32_t> parse_number() {
    size_t start = pos_;
    bool is_double = false;
    while (pos_ < text().size()) {
      char c = text()[pos_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E') {
        is_double = true;
        ++pos_;
        if ((c == 'e' || c == 'E') && pos_ < text().size() && (text()[pos_] == '+' || text()[pos_] == '-'))
          ++pos_;
      } else {
        break;
      }
    }
    std::string lit = text().substr(start, pos_ - start);
    node n;
    if (!is_double) {
      int64_t i = 0;
      auto [end, ec] = std::from_chars(lit.data(), lit.data() + lit.size(), i);
      if (ec == std::errc{} && end == lit.data() + lit.size()) {
        n.literal = i;
        skip_space();
        return add(std::move(n));
      }
    }
    char* stop = nullptr;
    double d = std::strtod(lit.c_str(), &stop);
    if (stop != lit.c_str() + lit.size() || !std::isfinite(d)) {
      pos_ = start;
      return fail("bad number '" + lit + "'");
    }
    n.literal = d;
    skip_space();
    return add(std::move(n));
  }

  result<uint32_t> parse_string(char quote) {
    size_t start = pos_++;
    std::string s;
    while (pos_ < text().size() && text()[pos_] != quote) {
      if (text()[pos_] == '\\' && pos_ + 1 < text().size())
        ++pos_;
      s += text()[pos_++];
    }
    if (pos_ >= text().size()) {
      pos_ = start;
      return fail("unterminated string");
    }
    ++pos_;
    skip_space();
    node n;
    n.literal = std::move(s);
    return add(std::move(n));
  }

  result<uint32_t> parse_name(int depth) {
    size_t start = pos_;
    while (pos_ < text().size()) {
      if (ident_char(text()[pos_]))
        ++pos_;
      else if (text()[pos_] == '.' && pos_ + 1 < text().size() && ident_start(text()[pos_ + 1]))
        ++pos_;
      else
        break;
    }
    std::string name = text().substr(start, pos_ - start);
    skip_space();
    if (pos_ < text().size() && text()[pos_] == '(') {
      ++pos_;
      return parse_call(name, start, depth);
    }
    node n;
    if (name == "null") {
      n.literal = std::monostate{};
    } else if (name == "true" || name == "false") {
      n.literal = name == "true";
    } else {
      n.k = node::kind::field;
      n.path = name;
      if (std::find(e_.fields_.begin(), e_.fields_.end(), name) == e_.fields_.end())
        e_.fields_.push_back(name);
    }
    return add(std::move(n));
  }

  result<uint32_t> parse_call(const std::string& name, size_t name_pos, int depth) {
    node n;
    size_t min_args = 1, max_args = 1;
    for (size_t i = 0; i < std::size(builtins); ++i)
      if (name == builtins[i].name) {
        n.k = node::kind::builtin;
        n.function = static_cast<int>(i);
        min_args = builtins[i].min_args;
        max_args = builtins[i].max_args;
      }
    if (n.k != node::kind::builtin) {
      auto it = std::find(fns_.begin(), fns_.end(), name);
      if (it == fns_.end()) {
        pos_ = name_pos;
        std::string known;
        for (const auto& b : builtins)
          known += (known.empty() ? "" : ", ") + std::string{b.name};
        for (const auto& f : fns_)
          known += ", " + f;
        return fail("unknown function '" + name + "' (known: " + known + ")");
      }
      n.k = node::kind::lookup;
      n.function = static_cast<int>(it - fns_.begin());
    }
    skip_space();
    if (!eat(')')) {
      do {
        auto arg = parse_sum(depth + 1);
        if (!arg)
          return arg;
        n.args.push_back(*arg);
      } while (eat(','));
      if (!eat(')'))
        return fail("expected ',' or ')'");
    }
    if (n.args.size() < min_args || n.args.size() > max_args) {
      pos_ = name_pos;
      return fail(name + "() takes " + std::to_string(min_args) +
                  (max_args == min_args ? "" : max_args > 8 ? " or more" : " to " + std::to_string(max_args)) +
                  " argument(s), not " + std::to_string(n.args.size()));
    }
    return add(std::move(n));
  }

  expression& e_;
  const std::vector<std::string>& fns_;
  size_t pos_ = 0;
};

class expression_evaluator {
 public:
  expression_evaluator(const expression& e, const event::record& rec, const function_caller& call)
      : e_(e), rec_(rec), call_(call) {}

  result<eval_result> run() {
    auto v = eval(e_.root_);
    if (!v)
      return v.err();
    bool null = event::is_null(*v);
    return eval_result{std::move(*v), null && missed_};
  }

 private:
  using node = expression::node;

  result<event::value> eval(uint32_t id) {
    const auto& n = e_.nodes_[id];
    switch (n.k) {
      case node::kind::literal:
        return n.literal;
      case node::kind::field: {
        const auto* v = rec_.get(n.path);
        return v ? *v : event::value{};
      }
      case node::kind::negate: {
        auto v = eval(n.args[0]);
        if (!v)
          return v;
        auto x = to_number(*v);
        if (!x)
          return event::value{};
        if (x->is_int && x->i != INT64_MIN)
          return event::value{-x->i};
        return from_double(-x->as_double());
      }
      case node::kind::add:
      case node::kind::sub:
      case node::kind::mul:
      case node::kind::div:
      case node::kind::mod:
        return arithmetic(n);
      case node::kind::builtin:
        return call_builtin(n);
      case node::kind::lookup:
        return call_lookup(n);
    }
    return event::value{};
  }

  result<event::value> arithmetic(const node& n) {
    auto l = eval(n.args[0]);
    if (!l)
      return l;
    auto r = eval(n.args[1]);
    if (!r)
      return r;
    auto a = to_number(*l), b = to_number(*r);
    if (!a || !b)
      return event::value{};
    if (a->is_int && b->is_int) {
      int64_t out = 0;
      switch (n.k) {
        case node::kind::add:
          if (!__builtin_add_overflow(a->i, b->i, &out))
            return event::value{out};
          break;
        case node::kind::sub:
          if (!__builtin_sub_overflow(a->i, b->i, &out))
            return event::value{out};
          break;
        case node::kind::mul:
          if (!__builtin_mul_overflow(a->i, b->i, &out))
            return event::value{out};
          break;
        case node::kind::mod:
          if (b->i == 0)
            return event::value{};
          return event::value{b->i == -1 ? int64_t{0} : a->i % b->i};
        default:
          break;
      }
    }
    double x = a->as_double(), y = b->as_double();
    switch (n.k) {
      case node::kind::add: return from_double(x + y);
      case node::kind::sub: return from_double(x - y);
      case node::kind::mul: return from_double(x * y);
      case node::kind::div: return y == 0 ? event::value{} : from_double(x / y);
      case node::kind::mod: return y == 0 ? event::value{} : from_double(std::fmod(x, y));
      default: return event::value{};
    }
  }

  result<event::value> call_builtin(const node& n) {
    if (n.function == b_coalesce) {
      for (auto arg : n.args) {
        auto v = eval(arg);
        if (!v || !event::is_null(*v))
          return v;
      }
      return event::value{};
    }
    std::vector<number> xs;
    for (auto arg : n.args) {
      auto v = eval(arg);
      if (!v)
        return v;
      auto x = to_number(*v);
      if (!x)
        return event::value{};
      xs.push_back(*x);
    }
    switch (n.function) {
      case b_abs:
        if (xs[0].is_int && xs[0].i != INT64_MIN)
          return event::value{xs[0].i < 0 ? -xs[0].i : xs[0].i};
        return from_double(std::fabs(xs[0].as_double()));
      case b_round: {
        int digits = xs.size() > 1 ? static_cast<int>(std::clamp(xs[1].as_double(), -15.0, 15.0)) : 0;
        double scale = std::pow(10.0, digits);
        return from_double(std::round(xs[0].as_double() * scale) / scale);
      }
      case b_floor:
        return xs[0].is_int ? event::value{xs[0].i} : from_double(std::floor(xs[0].d));
      case b_ceil:
        return xs[0].is_int ? event::value{xs[0].i} : from_double(std::ceil(xs[0].d));
      case b_min:
      case b_max: {
        size_t best = 0;
        for (size_t i = 1; i < xs.size(); ++i) {
          bool less = xs[i].as_double() < xs[best].as_double();
          if (n.function == b_min ? less : (!less && xs[i].as_double() != xs[best].as_double()))
            best = i;
        }
        return xs[best].is_int ? event::value{xs[best].i} : from_double(xs[best].d);
      }
      default:
        return event::value{};
    }
  }

  result<event::value> call_lookup(const node& n) {
    auto arg = eval(n.args[0]);
    if (!arg)
      return arg;
    if (event::is_null(*arg))
      return event::value{};
    auto found = call_(static_cast<size_t>(n.function), *arg);
    if (!found)
      return found.err();
    if (!*found) {
      missed_ = true;
      return event::value{};
    }
    return std::move(**found);
  }

  const expression& e_;
  const event::record& rec_;
  const function_caller& call_;
  bool missed_ = false;
};

const std::vector<std::string>& expression::builtin_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& b : builtins)
      out.emplace_back(b.name);
    return out;
  }();
  return names;
}

result<expression> expression::parse(std::string_view text, const std::vector<std::string>& functions) {
  if (text.size() > max_text)
    return expr_error(text.substr(0, 40), 0, "longer than " + std::to_string(max_text) + " characters");
  expression e;
  e.text_ = std::string{text};
  expression_parser p{e, functions};
  FRESHET_TRY(p.run());
  return e;
}

result<eval_result> expression::evaluate(const event::record& rec, const function_caller& call) const {
  expression_evaluator ev{*this, rec, call};
  return ev.run();
}

} // namespace freshet::enrich
