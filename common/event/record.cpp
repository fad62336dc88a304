#include "common/event/record.hpp"

#include <cmath>
#include <cstdio>

namespace freshet::event {

std::optional<double> as_number(const value& v) {
  if (auto i = std::get_if<int64_t>(&v))
    return static_cast<double>(*i);
  if (auto d = std::get_if<double>(&v))
    return *d;
  return std::nullopt;
}

std::string as_text(const value& v) {
  struct visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
        return std::to_string(static_cast<int64_t>(d));
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(visitor{}, v);
}

const value* record::get(std::string_view path) const {
  for (const auto& [k, v] : fields_)
    if (k == path)
      return &v;
  return nullptr;
}

void record::set(std::string path, value v) {
  for (auto& [k, existing] : fields_)
    if (k == path) {
      existing = std::move(v);
      return;
    }
  fields_.emplace_back(std::move(path), std::move(v));
}

} // namespace freshet::event
