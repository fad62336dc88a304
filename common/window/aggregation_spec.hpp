#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::window {

/// What an aggregation computes. The numbers are part of the state encoding: never renumber.
enum class agg_kind : uint8_t {
  count = 1,          ///< events (or non-null values of `field`, when given)
  sum = 2,            ///< exact for integers; reals add in IEEE double
  min = 3,
  max = 4,
  avg = 5,            ///< sum / count of the non-null numeric values
  count_distinct = 6, ///< HyperLogLog, standard error 1.04 / sqrt(2^precision)
  quantiles = 7,      ///< DDSketch, relative error <= relative_accuracy
  top_k = 8,          ///< Space-Saving, count error <= N / capacity
};

[[nodiscard]] const char* to_string(agg_kind k);
/// "count", "sum", ..., "count_distinct", "quantiles", "top_k"; nullopt for anything else.
[[nodiscard]] std::optional<agg_kind> agg_kind_from_string(std::string_view s);

/// One aggregation of a metric: `output = kind(field)` plus the sketch parameters of its kind.
/// This is what one entry of a metric's `aggregations:` list in the pipeline YAML holds.
struct aggregation_spec {
  std::string output;
  agg_kind kind = agg_kind::count;
  /// Input field; empty only for `count` (then it counts events).
  std::string field;

  /// count_distinct: 2^precision one-byte registers, 4..18. 12 → 4096 registers, ±1.625% (1 σ).
  int hll_precision = 12;
  /// quantiles: every reported quantile q is within relative_accuracy of the exact q-quantile
  /// (see ddsketch.hpp), as long as the data spans fewer than `max_bins` buckets.
  double relative_accuracy = 0.01;
  uint32_t max_bins = 2048;
  std::vector<double> quantiles{0.5, 0.9, 0.95, 0.99};
  /// top_k: report the k heaviest items from a Space-Saving summary of `capacity` counters
  /// (0 = max(10·k, 100)); each count overestimates by at most N / capacity for N values seen.
  uint32_t k = 10;
  uint32_t capacity = 0;

  [[nodiscard]] uint32_t effective_capacity() const;
};

/// Checks one aggregation on its own (output name, field, parameter ranges).
[[nodiscard]] status validate(const aggregation_spec& a);

} // namespace freshet::window
