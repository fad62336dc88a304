#include "services/quality-gate/checks.hpp"

#include <charconv>
#include <cmath>
#include <unordered_set>

#include <re2/re2.h>

namespace freshet::quality_gate {

namespace {

/// A value for a message: strings quoted, everything cut to a readable length.
std::string shown(const event::value& v) {
  if (event::is_null(v))
    return "null";
  if (auto s = std::get_if<std::string>(&v))
    return describe(expr_value{*s});
  return event::as_text(v).substr(0, 40);
}

/// "a string", "an integer", ... as a sentence needs it.
std::string kind_of(const event::value& v) {
  if (std::holds_alternative<bool>(v))
    return "a boolean";
  if (std::holds_alternative<int64_t>(v))
    return "an integer";
  if (auto d = std::get_if<double>(&v))
    return std::isfinite(*d) && *d == std::floor(*d) ? "a number" : "a fractional number";
  if (std::holds_alternative<std::string>(v))
    return "a string";
  return "null";
}

std::string number_text(double d) {
  return event::as_text(event::value{d});
}

class not_null_check final : public record_check {
 public:
  using record_check::record_check;
  std::optional<std::string> check(const event_view& ev) const override {
    std::string why;
    for (const auto& f : spec().fields) {
      const auto* v = ev.find(f);
      if (v && !event::is_null(*v))
        continue;
      why += (why.empty() ? "" : ", ") + f + (v ? " is null" : " is missing");
    }
    return why.empty() ? std::nullopt : std::optional{why};
  }
};

class type_check final : public record_check {
 public:
  using record_check::record_check;
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt; // absence is not_null's business
    bool ok = false;
    switch (spec().type) {
      case config::value_type::string: ok = std::holds_alternative<std::string>(*v); break;
      case config::value_type::boolean: ok = std::holds_alternative<bool>(*v); break;
      case config::value_type::number: ok = event::as_number(*v).has_value(); break;
      case config::value_type::integer: {
        auto d = std::get_if<double>(v);
        ok = std::holds_alternative<int64_t>(*v) || (d && std::isfinite(*d) && *d == std::floor(*d));
        break;
      }
    }
    if (ok)
      return std::nullopt;
    return spec().field() + " is " + kind_of(*v) + " (" + shown(*v) + "), not " +
           (spec().type == config::value_type::integer ? "an " : "a ") + to_string(spec().type);
  }
};

class range_check final : public record_check {
 public:
  using record_check::record_check;
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt;
    auto d = event::as_number(*v);
    if (!d)
      return spec().field() + " is not a number (" + shown(*v) + ")";
    const auto& s = spec();
    if (s.min && (*d < *s.min || (s.exclusive_min && *d == *s.min)))
      return s.field() + " = " + number_text(*d) + " is below the minimum " + number_text(*s.min) +
             (s.exclusive_min ? " (exclusive)" : "");
    if (s.max && (*d > *s.max || (s.exclusive_max && *d == *s.max)))
      return s.field() + " = " + number_text(*d) + " is above the maximum " + number_text(*s.max) +
             (s.exclusive_max ? " (exclusive)" : "");
    return std::nullopt;
  }
};

class in_set_check final : public record_check {
 public:
  explicit in_set_check(config::expectation_spec s) : record_check(std::move(s)) {
    for (const auto& v : spec().values) {
      allowed_.insert(v);
      if (listed_.size() < 80)
        listed_ += (listed_.empty() ? "" : ", ") + v;
    }
    if (listed_.size() >= 80)
      listed_ += ", ...";
  }
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt;
    if (allowed_.count(event::as_text(*v)))
      return std::nullopt;
    return spec().field() + " = " + shown(*v) + " is not one of " + listed_;
  }

 private:
  std::unordered_set<std::string> allowed_;
  std::string listed_;
};

/// RE2: linear time in the input and bounded memory, so no event can stall or crash the gate.
class regex_check final : public record_check {
 public:
  regex_check(config::expectation_spec s, std::unique_ptr<RE2> re) : record_check(std::move(s)), re_(std::move(re)) {}
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt;
    bool match = false;
    if (auto s = std::get_if<std::string>(v))
      match = RE2::PartialMatch(*s, *re_);
    else
      match = RE2::PartialMatch(event::as_text(*v), *re_);
    if (match)
      return std::nullopt;
    return spec().field() + " = " + shown(*v) + " does not match " + spec().pattern;
  }

 private:
  std::unique_ptr<RE2> re_;
};

class length_check final : public record_check {
 public:
  using record_check::record_check;
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt;
    auto s = std::get_if<std::string>(v);
    if (!s)
      return spec().field() + " is not a string (" + shown(*v) + ")";
    size_t n = 0;
    for (unsigned char c : *s)
      n += (c & 0xC0) != 0x80;
    auto len = static_cast<double>(n);
    if (spec().min && len < *spec().min)
      return spec().field() + " has " + std::to_string(n) + " characters; the minimum is " + number_text(*spec().min);
    if (spec().max && len > *spec().max)
      return spec().field() + " has " + std::to_string(n) + " characters; the maximum is " + number_text(*spec().max);
    return std::nullopt;
  }
};

class freshness_check final : public record_check {
 public:
  using record_check::record_check;
  std::optional<std::string> check(const event_view& ev) const override {
    const auto* v = ev.find(spec().field());
    if (!v || event::is_null(*v))
      return std::nullopt;
    auto d = event::as_number(*v);
    if (!d || !std::isfinite(*d))
      return spec().field() + " is not an epoch-millisecond number (" + shown(*v) + ")";
    double ref = static_cast<double>(ev.reference_time_ms());
    const auto& s = spec();
    if (s.max_ahead_ms && *d > ref + static_cast<double>(*s.max_ahead_ms))
      return s.field() + " is " + number_text(*d - ref) + " ms ahead of receipt; at most " +
             std::to_string(*s.max_ahead_ms) + " ms allowed";
    if (s.max_age_ms && *d < ref - static_cast<double>(*s.max_age_ms))
      return s.field() + " is " + number_text(ref - *d) + " ms old at receipt; at most " +
             std::to_string(*s.max_age_ms) + " ms allowed";
    return std::nullopt;
  }
};

class rule_check final : public record_check {
 public:
  rule_check(config::expectation_spec s, expression e) : record_check(std::move(s)), expr_(std::move(e)) {}
  std::optional<std::string> check(const event_view& ev) const override {
    auto v = expr_.evaluate(ev);
    if (auto b = std::get_if<bool>(&v); b && *b)
      return std::nullopt;
    std::string why = "rule is " + describe(v) + ": " + describe(expr_value{expr_.text()}, 120);
    std::string values;
    size_t listed = 0;
    for (const auto& f : expr_.fields()) {
      if (++listed > 6)
        break;
      const auto* fv = ev.find(f);
      values += (values.empty() ? "" : ", ") + f + "=" + (fv ? shown(*fv) : std::string{"missing"});
    }
    if (!values.empty())
      why += " (" + values + ")";
    return why;
  }

 private:
  expression expr_;
};

error compile_error(const config::expectation_spec& s, const std::string& msg) {
  return make_error(error_domain::config, 5, "expectation " + s.stream + "/" + s.name + ": " + msg);
}

} // namespace

event_view::event_view(const event::record& fields, const kafka::consumed_record& raw, int64_t clock_now_ms)
    : fields_(fields), reference_ms_(clock_now_ms) {
  if (const auto* ts = raw.find_header(kafka::headers::ingest_ts)) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(ts->data(), ts->data() + ts->size(), parsed);
    if (ec == std::errc{} && end == ts->data() + ts->size()) {
      ingest_ts_ = parsed;
      reference_ms_ = parsed;
    }
  }
  if (const auto* id = raw.find_header(kafka::headers::event_id))
    event_id_ = *id;
  if (const auto* s = raw.find_header(kafka::headers::stream))
    stream_ = *s;
}

const event::value* event_view::find(std::string_view path) const {
  if (const auto* v = fields_.get(path))
    return v;
  if (path == "ingest_ts" && !event::is_null(ingest_ts_))
    return &ingest_ts_;
  if (path == "event_id" && !event::is_null(event_id_))
    return &event_id_;
  if (path == "stream" && !event::is_null(stream_))
    return &stream_;
  return nullptr;
}

result<std::unique_ptr<record_check>> compile_check(const config::expectation_spec& s) {
  using k = config::expectation_kind;
  switch (s.kind) {
    case k::not_null: return std::unique_ptr<record_check>{new not_null_check(s)};
    case k::type: return std::unique_ptr<record_check>{new type_check(s)};
    case k::range: return std::unique_ptr<record_check>{new range_check(s)};
    case k::in_set: return std::unique_ptr<record_check>{new in_set_check(s)};
    case k::length: return std::unique_ptr<record_check>{new length_check(s)};
    case k::freshness: return std::unique_ptr<record_check>{new freshness_check(s)};
    case k::regex: {
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_max_mem(8 << 20);
      auto re = std::make_unique<RE2>(s.pattern, opts);
      if (!re->ok())
        return compile_error(s, "bad pattern: " + re->error());
      return std::unique_ptr<record_check>{new regex_check(s, std::move(re))};
    }
    case k::rule: {
      auto e = expression::parse(s.expression);
      if (!e)
        return compile_error(s, e.err().message);
      return std::unique_ptr<record_check>{new rule_check(s, std::move(*e))};
    }
    case k::unique:
    case k::null_ratio:
    case k::row_count:
    case k::distinct_ratio: break;
  }
  return compile_error(s, std::string{to_string(s.kind)} + " is not a record-level check");
}

result<expectation_set> expectation_set::compile(const config::pipeline_spec& pipeline,
                                                 const config::expectations_spec& expectations) {
  expectation_set out;
  for (const auto& stream : pipeline.streams) {
    auto sc = std::make_unique<stream_checks>();
    sc->stream = stream.name;
    for (const auto* e : expectations.of_stream(stream.name)) {
      if (e->kind == config::expectation_kind::unique) {
        sc->unique = *e;
        continue;
      }
      if (config::is_windowed(e->kind))
        continue;
      auto c = compile_check(*e);
      if (!c)
        return c.err();
      sc->checks.push_back(std::move(*c));
    }
    out.streams_.push_back(std::move(sc));
  }
  return out;
}

const stream_checks* expectation_set::find(std::string_view stream) const {
  for (const auto& s : streams_)
    if (s->stream == stream)
      return s.get();
  return nullptr;
}

} // namespace freshet::quality_gate
