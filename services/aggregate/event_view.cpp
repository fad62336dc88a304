#include "services/aggregate/event_view.hpp"

#include <charconv>
#include <cmath>
#include <type_traits>

namespace freshet::aggregate {

namespace {

field_ref header_text(const kafka::consumed_record& raw, const char* name) {
  const auto* h = raw.find_header(name);
  return h == nullptr ? field_ref{} : field_ref{std::string_view{*h}};
}

field_ref header_number(const kafka::consumed_record& raw, const char* name) {
  const auto* h = raw.find_header(name);
  if (h == nullptr)
    return {};
  int64_t v = 0;
  auto [end, ec] = std::from_chars(h->data(), h->data() + h->size(), v);
  if (ec != std::errc{} || end != h->data() + h->size())
    return {};
  return v;
}

} // namespace

field_ref event_view::metadata(std::string_view name) const {
  if (name == "stream")
    return stream_;
  if (name == "event_id")
    return header_text(raw_, kafka::headers::event_id);
  if (name == "ingest_ts")
    return header_number(raw_, kafka::headers::ingest_ts);
  if (name == "timestamp")
    return raw_.timestamp_ms;
  if (name == "partition")
    return int64_t{raw_.partition};
  if (name == "offset")
    return raw_.offset;
  if (name == "key")
    return std::string_view{raw_.key};
  return {};
}

field_ref event_view::find(std::string_view path) const {
  if (!path.empty() && path.front() == '_')
    return metadata(path.substr(1));
  if (const auto* v = fields_.get(path)) {
    return std::visit(
      [](const auto& x) -> field_ref {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return std::string_view{x};
        else
          return x;
      },
      *v);
  }
  if (path == "stream" || path == "event_id" || path == "ingest_ts")
    return metadata(path);
  return {};
}

window::field_value to_engine(const field_ref& v) {
  return std::visit(
    [](const auto& x) -> window::field_value {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, bool>)
        return int64_t{x ? 1 : 0};
      else
        return x;
    },
    v);
}

filter_value to_filter(const field_ref& v) {
  return std::visit(
    [](const auto& x) -> filter_value {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, int64_t>)
        return static_cast<double>(x);
      else
        return x;
    },
    v);
}

void append_text(const field_ref& v, std::string& out) {
  std::visit(
    [&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, std::string_view>) {
        out.append(x);
      } else if constexpr (std::is_same_v<T, bool>) {
        out.append(x ? "true" : "false");
      } else if constexpr (std::is_same_v<T, int64_t>) {
        out.append(std::to_string(x));
      } else if constexpr (std::is_same_v<T, double>) {
        out.append(window::value_text(window::field_value{x}));
      }
    },
    v);
}

bool as_millis(const field_ref& v, int64_t& out) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    out = *i;
    return true;
  }
  if (const auto* d = std::get_if<double>(&v)) {
    if (!std::isfinite(*d) || std::fabs(*d) > 9.0e15)
      return false;
    out = static_cast<int64_t>(std::floor(*d));
    return true;
  }
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    return ec == std::errc{} && end == s->data() + s->size();
  }
  return false;
}

} // namespace freshet::aggregate
