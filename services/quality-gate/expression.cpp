#include "services/quality-gate/expression.hpp"

#include <cmath>

namespace freshet::quality_gate {

namespace {

expr_value from_event(const event::value* v) {
  if (!v)
    return std::monostate{};
  struct visitor {
    expr_value operator()(std::monostate) const { return std::monostate{}; }
    expr_value operator()(bool b) const { return b; }
    expr_value operator()(int64_t i) const { return static_cast<double>(i); }
    expr_value operator()(double d) const { return d; }
    expr_value operator()(const std::string& s) const { return s; }
  };
  return std::visit(visitor{}, *v);
}

const double* num(const expr_value& v) {
  return std::get_if<double>(&v);
}

expr_value finite_or_null(double d) {
  if (!std::isfinite(d))
    return std::monostate{};
  return d;
}

/// Three-valued truth: 1 true, 0 false, -1 unknown (null or not a boolean).
int truth(const expr_value& v) {
  if (auto b = std::get_if<bool>(&v))
    return *b ? 1 : 0;
  return -1;
}

expr_value from_truth(int t) {
  if (t < 0)
    return std::monostate{};
  return t == 1;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

} // namespace

expr_value expression::evaluate(const field_source& fields) const {
  if (root_ < 0)
    return std::monostate{};
  return eval(root_, fields);
}

bool expression::holds(const field_source& fields) const {
  return truth(evaluate(fields)) == 1;
}

expr_value expression::eval(int32_t idx, const field_source& fields) const {
  const node& n = nodes_[static_cast<size_t>(idx)];
  switch (n.kind) {
    case op::literal: return n.literal;
    case op::field: return from_event(fields.find(fields_[static_cast<size_t>(n.field)]));
    case op::neg: {
      auto v = eval(n.lhs, fields);
      if (auto d = num(v))
        return -*d;
      return std::monostate{};
    }
    case op::not_: {
      int t = truth(eval(n.lhs, fields));
      return from_truth(t < 0 ? -1 : 1 - t);
    }
    case op::and_: {
      int l = truth(eval(n.lhs, fields));
      if (l == 0)
        return false;
      int r = truth(eval(n.rhs, fields));
      if (r == 0)
        return false;
      return from_truth(l == 1 && r == 1 ? 1 : -1);
    }
    case op::or_: {
      int l = truth(eval(n.lhs, fields));
      if (l == 1)
        return true;
      int r = truth(eval(n.rhs, fields));
      if (r == 1)
        return true;
      return from_truth(l == 0 && r == 0 ? 0 : -1);
    }
    case op::eq:
    case op::ne: {
      auto l = eval(n.lhs, fields);
      auto r = eval(n.rhs, fields);
      bool same = l == r; // variant equality: same alternative and equal value
      return n.kind == op::eq ? same : !same;
    }
    case op::lt:
    case op::le:
    case op::gt:
    case op::ge: {
      auto l = eval(n.lhs, fields);
      auto r = eval(n.rhs, fields);
      int cmp = 0;
      if (num(l) && num(r)) {
        double a = *num(l), b = *num(r);
        cmp = a < b ? -1 : a > b ? 1 : 0;
      } else if (std::holds_alternative<std::string>(l) && std::holds_alternative<std::string>(r)) {
        cmp = std::get<std::string>(l).compare(std::get<std::string>(r));
        cmp = cmp < 0 ? -1 : cmp > 0 ? 1 : 0;
      } else {
        return std::monostate{};
      }
      switch (n.kind) {
        case op::lt: return cmp < 0;
        case op::le: return cmp <= 0;
        case op::gt: return cmp > 0;
        default: return cmp >= 0;
      }
    }
    case op::add:
    case op::sub:
    case op::mul:
    case op::div:
    case op::mod: {
      auto l = eval(n.lhs, fields);
      auto r = eval(n.rhs, fields);
      if (!num(l) || !num(r))
        return std::monostate{};
      double a = *num(l), b = *num(r);
      switch (n.kind) {
        case op::add: return finite_or_null(a + b);
        case op::sub: return finite_or_null(a - b);
        case op::mul: return finite_or_null(a * b);
        case op::div: return b == 0 ? expr_value{} : finite_or_null(a / b);
        default: return b == 0 ? expr_value{} : finite_or_null(std::fmod(a, b));
      }
    }
    case op::call: {
      if (n.fn == function::coalesce) {
        for (int32_t a : n.args) {
          auto v = eval(a, fields);
          if (!std::holds_alternative<std::monostate>(v))
            return v;
        }
        return std::monostate{};
      }
      auto v = eval(n.args.front(), fields);
      switch (n.fn) {
        case function::floor: return num(v) ? expr_value{std::floor(*num(v))} : expr_value{};
        case function::ceil: return num(v) ? expr_value{std::ceil(*num(v))} : expr_value{};
        case function::round: return num(v) ? expr_value{std::round(*num(v))} : expr_value{};
        case function::abs: return num(v) ? expr_value{std::fabs(*num(v))} : expr_value{};
        case function::len:
          if (auto s = std::get_if<std::string>(&v))
            return static_cast<double>(code_points(*s));
          return std::monostate{};
        case function::lower:
        case function::upper:
          if (auto s = std::get_if<std::string>(&v)) {
            std::string out = *s;
            for (auto& c : out) {
              if (n.fn == function::lower && c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
              else if (n.fn == function::upper && c >= 'a' && c <= 'z')
                c = static_cast<char>(c - 'a' + 'A');
            }
            return out;
          }
          return std::monostate{};
        default: return std::monostate{};
      }
    }
  }
  return std::monostate{};
}

std::string describe(const expr_value& v, size_t max_chars) {
  std::string out;
  if (std::holds_alternative<std::monostate>(v)) {
    out = "null";
  } else if (auto b = std::get_if<bool>(&v)) {
    out = *b ? "true" : "false";
  } else if (auto d = std::get_if<double>(&v)) {
    out = event::as_text(event::value{*d});
  } else {
    out = "\"" + std::get<std::string>(v) + "\"";
  }
  if (out.size() > max_chars) {
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut; // never split a UTF-8 sequence
    out = out.substr(0, cut) + "...";
  }
  return out;
}

} // namespace freshet::quality_gate
