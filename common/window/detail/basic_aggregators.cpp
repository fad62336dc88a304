#include "common/window/detail/basic_aggregators.hpp"

#include <cmath>

namespace freshet::window::detail {

void exact_sum::add_int(int64_t v) {
  int64_t r = 0;
  if (__builtin_add_overflow(ints, v, &r)) {
    reals += static_cast<double>(ints) + static_cast<double>(v);
    ints = 0;
    overflowed = true;
  } else {
    ints = r;
  }
}

void exact_sum::add(const field_value& v) {
  if (auto* i = std::get_if<int64_t>(&v)) {
    add_int(*i);
    ++n;
  } else if (auto* d = std::get_if<double>(&v)) {
    if (std::isnan(*d))
      return;
    reals += *d;
    has_real = true;
    ++n;
  }
}

void exact_sum::merge(const exact_sum& o) {
  add_int(o.ints);
  reals += o.reals;
  n += o.n;
  has_real = has_real || o.has_real;
  overflowed = overflowed || o.overflowed;
}

void exact_sum::encode(byte_writer& out) const {
  out.u8(static_cast<uint8_t>((has_real ? 1 : 0) | (overflowed ? 2 : 0)));
  out.svarint(ints);
  out.f64(reals);
  out.varint(n);
}

void exact_sum::decode(byte_reader& in) {
  auto flags = in.u8();
  if (flags > 3)
    in.fail(errc::invalid_state);
  has_real = (flags & 1) != 0;
  overflowed = (flags & 2) != 0;
  ints = in.svarint();
  reals = in.f64();
  n = in.varint();
}

bool number::less(const number& o) const {
  if (integral && o.integral)
    return i < o.i;
  // long double holds every int64 exactly on x86-64 (64-bit mantissa).
  long double a = integral ? static_cast<long double>(i) : static_cast<long double>(d);
  long double b = o.integral ? static_cast<long double>(o.i) : static_cast<long double>(o.d);
  return a < b;
}

namespace {

template <class Self>
status merge_same(Self& self, const aggregator& other, const char* what) {
  auto* o = dynamic_cast<const Self*>(&other);
  if (o == nullptr)
    return make_window_error(errc::incompatible_merge, what);
  self.merge_from(*o);
  return {};
}

class count_aggregator final : public aggregator {
 public:
  agg_kind kind() const override { return agg_kind::count; }
  void add(const field_value& v) override { n_ += is_null(v) ? 0 : 1; }
  status merge(const aggregator& other) override { return merge_same(*this, other, "count with another kind"); }
  void merge_from(const count_aggregator& o) { n_ += o.n_; }
  agg_value value() const override { return static_cast<int64_t>(n_); }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<count_aggregator>(*this); }
  void encode(byte_writer& out) const override { out.varint(n_); }
  status decode(byte_reader& in) override {
    n_ = in.varint();
    return in.check("count");
  }

 private:
  uint64_t n_ = 0;
};

class sum_aggregator final : public aggregator {
 public:
  agg_kind kind() const override { return agg_kind::sum; }
  void add(const field_value& v) override { s_.add(v); }
  status merge(const aggregator& other) override { return merge_same(*this, other, "sum with another kind"); }
  void merge_from(const sum_aggregator& o) { s_.merge(o.s_); }
  agg_value value() const override {
    if (s_.n == 0)
      return std::monostate{};
    return s_.integral() ? agg_value{s_.ints} : agg_value{s_.total()};
  }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<sum_aggregator>(*this); }
  void encode(byte_writer& out) const override { s_.encode(out); }
  status decode(byte_reader& in) override {
    s_.decode(in);
    return in.check("sum");
  }

 private:
  exact_sum s_;
};

class avg_aggregator final : public aggregator {
 public:
  agg_kind kind() const override { return agg_kind::avg; }
  void add(const field_value& v) override { s_.add(v); }
  status merge(const aggregator& other) override { return merge_same(*this, other, "avg with another kind"); }
  void merge_from(const avg_aggregator& o) { s_.merge(o.s_); }
  agg_value value() const override {
    if (s_.n == 0)
      return std::monostate{};
    return s_.total() / static_cast<double>(s_.n);
  }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<avg_aggregator>(*this); }
  void encode(byte_writer& out) const override { s_.encode(out); }
  status decode(byte_reader& in) override {
    s_.decode(in);
    return in.check("avg");
  }

 private:
  exact_sum s_;
};

/// min (Max = false) or max (Max = true) of the numeric values.
template <bool Max>
class extreme_aggregator final : public aggregator {
 public:
  agg_kind kind() const override { return Max ? agg_kind::max : agg_kind::min; }
  void add(const field_value& v) override {
    if (auto* i = std::get_if<int64_t>(&v))
      offer(number{*i, 0, true});
    else if (auto* d = std::get_if<double>(&v); d != nullptr && !std::isnan(*d))
      offer(number{0, *d, false});
  }
  status merge(const aggregator& other) override { return merge_same(*this, other, "min/max with another kind"); }
  void merge_from(const extreme_aggregator& o) {
    if (o.has_)
      offer(o.best_);
  }
  agg_value value() const override { return has_ ? best_.value() : agg_value{}; }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<extreme_aggregator>(*this); }
  void encode(byte_writer& out) const override {
    out.u8(static_cast<uint8_t>((has_ ? 1 : 0) | (best_.integral ? 2 : 0)));
    if (best_.integral)
      out.svarint(best_.i);
    else
      out.f64(best_.d);
  }
  status decode(byte_reader& in) override {
    auto flags = in.u8();
    if (flags > 3)
      in.fail(errc::invalid_state);
    number b;
    b.integral = (flags & 2) != 0;
    if (b.integral)
      b.i = in.svarint();
    else
      b.d = in.f64();
    FRESHET_TRY(in.check("min/max"));
    has_ = (flags & 1) != 0;
    best_ = b;
    return {};
  }

 private:
  void offer(const number& n) {
    // Equal values prefer the integer form, so the result does not depend on arrival order.
    bool better = Max ? best_.less(n) : n.less(best_);
    bool tie_to_int = n.integral && !best_.integral && !best_.less(n) && !n.less(best_);
    if (!has_ || better || tie_to_int) {
      best_ = n;
      has_ = true;
    }
  }

  bool has_ = false;
  number best_;
};

} // namespace

footprint basic_footprint(agg_kind k) {
  switch (k) {
    case agg_kind::sum: return {sizeof(sum_aggregator), alignof(sum_aggregator)};
    case agg_kind::min: return {sizeof(extreme_aggregator<false>), alignof(extreme_aggregator<false>)};
    case agg_kind::max: return {sizeof(extreme_aggregator<true>), alignof(extreme_aggregator<true>)};
    case agg_kind::avg: return {sizeof(avg_aggregator), alignof(avg_aggregator)};
    default: return {sizeof(count_aggregator), alignof(count_aggregator)};
  }
}

aggregator* construct_basic(void* at, const aggregation_spec& spec) {
  switch (spec.kind) {
    case agg_kind::sum: return place<sum_aggregator>(at);
    case agg_kind::min: return place<extreme_aggregator<false>>(at);
    case agg_kind::max: return place<extreme_aggregator<true>>(at);
    case agg_kind::avg: return place<avg_aggregator>(at);
    default: return place<count_aggregator>(at);
  }
}

} // namespace freshet::window::detail
