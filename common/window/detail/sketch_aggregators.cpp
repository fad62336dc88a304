#include "common/window/detail/sketch_aggregators.hpp"

#include <cmath>

#include "common/window/ddsketch.hpp"
#include "common/window/hyperloglog.hpp"
#include "common/window/space_saving.hpp"

namespace freshet::window::detail {

namespace {

class count_distinct_aggregator final : public aggregator {
 public:
  explicit count_distinct_aggregator(int precision) : hll_(precision) {}
  agg_kind kind() const override { return agg_kind::count_distinct; }
  void add(const field_value& v) override {
    if (!is_null(v))
      hll_.add_hash(value_hash(v));
  }
  status merge(const aggregator& other) override {
    auto* o = dynamic_cast<const count_distinct_aggregator*>(&other);
    if (o == nullptr)
      return make_window_error(errc::incompatible_merge, "count_distinct with another kind");
    return hll_.merge(o->hll_);
  }
  agg_value value() const override { return static_cast<int64_t>(std::llround(hll_.estimate())); }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<count_distinct_aggregator>(*this); }
  void encode(byte_writer& out) const override { hll_.encode(out); }
  status decode(byte_reader& in) override { return hll_.decode(in); }

 private:
  hyperloglog hll_;
};

class quantiles_aggregator final : public aggregator {
 public:
  quantiles_aggregator(double alpha, uint32_t max_bins, std::vector<double> qs)
    : sketch_(alpha, max_bins), qs_(std::move(qs)) {}
  agg_kind kind() const override { return agg_kind::quantiles; }
  void add(const field_value& v) override {
    if (auto d = as_double(v))
      sketch_.add(*d);
  }
  status merge(const aggregator& other) override {
    auto* o = dynamic_cast<const quantiles_aggregator*>(&other);
    if (o == nullptr)
      return make_window_error(errc::incompatible_merge, "quantiles with another kind");
    return sketch_.merge(o->sketch_);
  }
  agg_value value() const override {
    if (sketch_.count() == 0)
      return std::monostate{};
    std::vector<quantile_estimate> out;
    out.reserve(qs_.size());
    for (double q : qs_)
      out.push_back({q, sketch_.quantile(q)});
    return out;
  }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<quantiles_aggregator>(*this); }
  void encode(byte_writer& out) const override {
    out.varint(qs_.size());
    for (double q : qs_)
      out.f64(q);
    sketch_.encode(out);
  }
  status decode(byte_reader& in) override {
    auto n = in.count(8);
    std::vector<double> qs;
    for (uint64_t i = 0; i < n && in.ok(); ++i) {
      qs.push_back(in.f64());
      if (!(qs.back() >= 0 && qs.back() <= 1))
        in.fail(errc::invalid_state);
    }
    FRESHET_TRY(in.check("quantile list"));
    FRESHET_TRY(sketch_.decode(in));
    qs_ = std::move(qs);
    return {};
  }

 private:
  ddsketch sketch_;
  std::vector<double> qs_; // what value() reports; merging keeps this side's list
};

class top_k_aggregator final : public aggregator {
 public:
  top_k_aggregator(uint32_t k, uint32_t capacity) : k_(k), summary_(capacity) {}
  agg_kind kind() const override { return agg_kind::top_k; }
  void add(const field_value& v) override {
    if (auto* s = std::get_if<std::string_view>(&v))
      summary_.add(*s);
    else if (!is_null(v))
      summary_.add(value_text(v));
  }
  status merge(const aggregator& other) override {
    auto* o = dynamic_cast<const top_k_aggregator*>(&other);
    if (o == nullptr)
      return make_window_error(errc::incompatible_merge, "top_k with another kind");
    return summary_.merge(o->summary_);
  }
  agg_value value() const override {
    if (summary_.total() == 0)
      return std::monostate{};
    return summary_.top(k_);
  }
  std::unique_ptr<aggregator> clone() const override { return std::make_unique<top_k_aggregator>(*this); }
  void encode(byte_writer& out) const override {
    out.varint(k_);
    summary_.encode(out);
  }
  status decode(byte_reader& in) override {
    auto k = in.varint();
    FRESHET_TRY(in.check("top_k"));
    if (k == 0 || k > (1u << 24))
      return make_window_error(errc::invalid_state, "top_k k out of range");
    FRESHET_TRY(summary_.decode(in));
    k_ = static_cast<uint32_t>(k);
    return {};
  }

 private:
  uint32_t k_;
  space_saving summary_;
};

} // namespace

footprint sketch_footprint(agg_kind k) {
  switch (k) {
    case agg_kind::quantiles: return {sizeof(quantiles_aggregator), alignof(quantiles_aggregator)};
    case agg_kind::top_k: return {sizeof(top_k_aggregator), alignof(top_k_aggregator)};
    default: return {sizeof(count_distinct_aggregator), alignof(count_distinct_aggregator)};
  }
}

aggregator* construct_sketch(void* at, const aggregation_spec& spec) {
  switch (spec.kind) {
    case agg_kind::quantiles:
      return place<quantiles_aggregator>(at, spec.relative_accuracy, spec.max_bins, spec.quantiles);
    case agg_kind::top_k: return place<top_k_aggregator>(at, spec.k, spec.effective_capacity());
    default: return place<count_distinct_aggregator>(at, spec.hll_precision);
  }
}

} // namespace freshet::window::detail
