#include "common/window/ddsketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/window/errc.hpp"

namespace freshet::window {

namespace {

constexpr double min_indexable = std::numeric_limits<double>::min();

} // namespace

ddsketch::ddsketch(double relative_accuracy, uint32_t max_bins)
  : alpha_(std::clamp(relative_accuracy, 1e-6, 0.5)),
    gamma_((1 + alpha_) / (1 - alpha_)),
    log_gamma_(std::log(gamma_)),
    max_bins_(std::max<uint32_t>(max_bins, 16)) {}

int32_t ddsketch::index_of(double magnitude) const {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / log_gamma_));
}

double ddsketch::value_of(int32_t index) const {
  return std::exp(static_cast<double>(index) * log_gamma_) * 2.0 / (gamma_ + 1.0);
}

void ddsketch::add(double v, uint64_t n) {
  if (!std::isfinite(v) || n == 0)
    return;
  if (count_ == 0) {
    min_ = max_ = v;
  } else {
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }
  count_ += n;
  double mag = std::fabs(v);
  if (mag < min_indexable)
    zeros_ += n;
  else if (v > 0)
    pos_.add(index_of(mag), n, max_bins_, collapsed_);
  else
    neg_.add(index_of(mag), n, max_bins_, collapsed_);
}

status ddsketch::merge(const ddsketch& other) {
  if (other.gamma_ != gamma_)
    return make_window_error(errc::incompatible_merge, "DDSketches of different relative accuracy");
  if (other.count_ == 0)
    return {};
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  zeros_ += other.zeros_;
  collapsed_ = collapsed_ || other.collapsed_;
  pos_.merge(other.pos_, max_bins_, collapsed_);
  neg_.merge(other.neg_, max_bins_, collapsed_);
  return {};
}

double ddsketch::quantile(double q) const {
  if (count_ == 0)
    return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  if (q == 0.0)
    return min_;
  if (q == 1.0)
    return max_;
  auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  double estimate = max_;
  uint64_t seen = 0;
  bool found = false;
  // Ascending value order: negatives from the largest magnitude down, zeros, positives up.
  for (size_t j = neg_.bins.size(); j-- > 0 && !found;) {
    seen += neg_.bins[j];
    if (seen > rank) {
      estimate = -value_of(neg_.offset + static_cast<int32_t>(j));
      found = true;
    }
  }
  if (!found) {
    seen += zeros_;
    if (seen > rank) {
      estimate = 0.0;
      found = true;
    }
  }
  for (size_t j = 0; j < pos_.bins.size() && !found; ++j) {
    seen += pos_.bins[j];
    if (seen > rank) {
      estimate = value_of(pos_.offset + static_cast<int32_t>(j));
      found = true;
    }
  }
  return std::clamp(estimate, min_, max_);
}

void ddsketch::store::reshape(int32_t lo, int32_t hi, uint32_t max_bins, bool& collapsed) {
  if (static_cast<int64_t>(hi) - lo + 1 > max_bins) {
    // Too wide: fold the lowest magnitudes into the lowest bucket kept.
    lo = hi - static_cast<int32_t>(max_bins) + 1;
    collapsed = true;
    std::vector<uint64_t> next(static_cast<size_t>(hi - lo + 1), 0);
    for (size_t j = 0; j < bins.size(); ++j) {
      int32_t idx = std::max(offset + static_cast<int32_t>(j), lo);
      next[static_cast<size_t>(idx - lo)] += bins[j];
    }
    bins = std::move(next);
    offset = lo;
    return;
  }
  if (bins.empty()) {
    offset = lo;
    bins.assign(static_cast<size_t>(hi - lo + 1), 0);
    return;
  }
  // Growing upwards reuses the vector's spare capacity; downwards shifts in place.
  if (hi >= offset + static_cast<int32_t>(bins.size()))
    bins.resize(static_cast<size_t>(hi - offset + 1), 0);
  if (lo < offset) {
    bins.insert(bins.begin(), static_cast<size_t>(offset - lo), 0);
    offset = lo;
  }
}

void ddsketch::store::add(int32_t idx, uint64_t n, uint32_t max_bins, bool& collapsed) {
  if (bins.empty()) {
    reshape(idx, idx, max_bins, collapsed);
  } else if (idx < offset || idx >= offset + static_cast<int32_t>(bins.size())) {
    int32_t hi = offset + static_cast<int32_t>(bins.size()) - 1;
    reshape(std::min(idx, offset), std::max(idx, hi), max_bins, collapsed);
  }
  bins[static_cast<size_t>(std::max(idx, offset) - offset)] += n;
}

void ddsketch::store::merge(const store& o, uint32_t max_bins, bool& collapsed) {
  if (o.bins.empty())
    return;
  int32_t o_hi = o.offset + static_cast<int32_t>(o.bins.size()) - 1;
  if (bins.empty()) {
    reshape(o.offset, o_hi, max_bins, collapsed);
  } else {
    int32_t hi = offset + static_cast<int32_t>(bins.size()) - 1;
    reshape(std::min(offset, o.offset), std::max(hi, o_hi), max_bins, collapsed);
  }
  for (size_t j = 0; j < o.bins.size(); ++j) {
    int32_t idx = std::max(o.offset + static_cast<int32_t>(j), offset);
    bins[static_cast<size_t>(idx - offset)] += o.bins[j];
  }
}

uint64_t ddsketch::store::total() const {
  uint64_t t = 0;
  for (uint64_t b : bins)
    t += b;
  return t;
}

void ddsketch::store::encode(byte_writer& out) const {
  out.svarint(offset);
  out.varint(bins.size());
  for (uint64_t b : bins)
    out.varint(b);
}

void ddsketch::store::decode(byte_reader& in, uint32_t max_bins) {
  auto off = in.svarint();
  uint64_t n = in.count(1);
  if (n > max_bins || off < std::numeric_limits<int32_t>::min() / 2 || off > std::numeric_limits<int32_t>::max() / 2)
    in.fail(errc::invalid_state);
  if (!in.ok())
    return;
  offset = static_cast<int32_t>(off);
  bins.assign(n, 0);
  for (auto& b : bins)
    b = in.varint();
}

void ddsketch::encode(byte_writer& out) const {
  out.f64(alpha_);
  out.varint(max_bins_);
  out.varint(count_);
  out.varint(zeros_);
  out.f64(min_);
  out.f64(max_);
  out.u8(collapsed_ ? 1 : 0);
  neg_.encode(out);
  pos_.encode(out);
}

status ddsketch::decode(byte_reader& in) {
  double alpha = in.f64();
  auto max_bins = in.varint();
  FRESHET_TRY(in.check("DDSketch parameters"));
  if (!(alpha >= 1e-6 && alpha <= 0.5) || max_bins < 16 || max_bins > (1u << 20))
    return make_window_error(errc::invalid_state, "DDSketch parameters out of range");
  ddsketch s(alpha, static_cast<uint32_t>(max_bins));
  s.count_ = in.varint();
  s.zeros_ = in.varint();
  s.min_ = in.f64();
  s.max_ = in.f64();
  auto collapsed = in.u8();
  s.collapsed_ = collapsed == 1;
  s.neg_.decode(in, s.max_bins_);
  s.pos_.decode(in, s.max_bins_);
  if (in.ok() && (collapsed > 1 || s.neg_.total() + s.pos_.total() + s.zeros_ != s.count_))
    in.fail(errc::invalid_state);
  FRESHET_TRY(in.check("DDSketch"));
  *this = std::move(s);
  return {};
}

} // namespace freshet::window
