#pragma once

#include <cstdint>
#include <vector>

#include "common/base/result.hpp"
#include "common/window/bytes.hpp"

namespace freshet::window {

/// DDSketch quantile sketch (Masson, Rim, Lee: "DDSketch: A Fast and Fully-Mergeable Quantile
/// Sketch with Relative-Error Guarantees", VLDB 2019).
///
/// Values are counted in logarithmic buckets: with γ = (1 + α) / (1 − α), bucket i holds the
/// magnitudes in (γ^(i−1), γ^i] and stands for 2γ^i / (γ + 1). Negative values have their own buckets
/// by magnitude; zero (and |v| below the smallest normal double) has a counter of its own.
///
/// Guarantee: for n values and the exact q-quantile x_q = the value of rank ⌊q·(n − 1)⌋ (0-based) in
/// sorted order, `quantile(q)` returns x̃ with |x̃ − x_q| ≤ α·|x_q|. It holds for every q as long
/// as the values span at most `max_bins` buckets per sign (with α = 1% and 2048 buckets: 17 orders
/// of magnitude); beyond that the lowest-magnitude buckets are collapsed into one and only the
/// quantiles that fall there lose the guarantee (`collapsed()` says whether that happened).
/// quantile(0) and quantile(1) are the exact min and max.
///
/// Mergeable: buckets add, so merged sketches answer exactly like one sketch fed all the values, in
/// any order (collapsing too is order-independent).
class ddsketch {
 public:
  explicit ddsketch(double relative_accuracy = 0.01, uint32_t max_bins = 2048);

  /// NaN and infinities are ignored.
  void add(double v, uint64_t n = 1);
  /// `incompatible_merge` unless both have the same relative accuracy.
  [[nodiscard]] status merge(const ddsketch& other);
  /// The q-quantile estimate, q clamped to [0, 1]; NaN when empty.
  [[nodiscard]] double quantile(double q) const;

  [[nodiscard]] uint64_t count() const { return count_; }
  [[nodiscard]] double min() const { return min_; }
  [[nodiscard]] double max() const { return max_; }
  [[nodiscard]] double relative_accuracy() const { return alpha_; }
  [[nodiscard]] uint32_t max_bins() const { return max_bins_; }
  [[nodiscard]] bool collapsed() const { return collapsed_; }

  void encode(byte_writer& out) const;
  [[nodiscard]] status decode(byte_reader& in);

 private:
  /// Contiguous counters for bucket indices [offset, offset + bins.size()).
  struct store {
    int32_t offset = 0;
    std::vector<uint64_t> bins;

    /// Adds `n` at `idx`; keeps at most `max_bins` buckets by folding the lowest into one.
    void add(int32_t idx, uint64_t n, uint32_t max_bins, bool& collapsed);
    void merge(const store& o, uint32_t max_bins, bool& collapsed);
    [[nodiscard]] uint64_t total() const;
    void encode(byte_writer& out) const;
    void decode(byte_reader& in, uint32_t max_bins);

   private:
    void reshape(int32_t lo, int32_t hi, uint32_t max_bins, bool& collapsed);
  };

  [[nodiscard]] int32_t index_of(double magnitude) const;
  [[nodiscard]] double value_of(int32_t index) const;

  double alpha_;
  double gamma_;
  double log_gamma_;
  uint32_t max_bins_;
  store pos_;
  store neg_;
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  double min_ = 0;
  double max_ = 0;
  bool collapsed_ = false;
};

} // namespace freshet::window
