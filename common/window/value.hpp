#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace freshet::window {

/// One field of an event as the operator sees it: absent/null, an integer, a real, or text.
/// Text is a view: values live only for the duration of the call that passes them.
using field_value = std::variant<std::monostate, int64_t, double, std::string_view>;

[[nodiscard]] inline bool is_null(const field_value& v) { return std::holds_alternative<std::monostate>(v); }

/// The numeric value of an integer or a real; nullopt for null and text (and NaN).
[[nodiscard]] std::optional<double> as_double(const field_value& v);

/// A stable hash of a value (count_distinct): an integer and a real with the same integral value
/// hash alike, so `3` and `3.0` count as one.
[[nodiscard]] uint64_t value_hash(const field_value& v);

/// The text form of a value (top-k item names): decimal integers, shortest round-trip reals.
[[nodiscard]] std::string value_text(const field_value& v);

/// The named fields an event brings to one metric, in the order of `metric_spec::input_fields()`.
/// Filters read it by name; the operator reads it by position.
class field_row {
 public:
  field_row(std::span<const std::string> names, std::span<const field_value> values)
    : names_(names), values_(values) {}

  /// The value of `name`, or nullptr when the metric does not read such a field.
  [[nodiscard]] const field_value* find(std::string_view name) const;
  [[nodiscard]] const field_value& at(size_t i) const { return values_[i]; }
  [[nodiscard]] size_t size() const { return values_.size(); }

 private:
  std::span<const std::string> names_;
  std::span<const field_value> values_;
};

/// One estimated quantile of a quantile sketch.
struct quantile_estimate {
  double q = 0;
  double value = 0;
  bool operator==(const quantile_estimate&) const = default;
};

/// One heavy hitter of a top-k summary: `count - error <= true count <= count`.
struct top_k_entry {
  std::string item;
  uint64_t count = 0;
  uint64_t error = 0;
  bool operator==(const top_k_entry&) const = default;
};

/// The result of one aggregation: null (no input), an integer (count, integral sum/min/max,
/// count_distinct), a real (avg, real sums), quantiles, or heavy hitters.
using agg_value =
  std::variant<std::monostate, int64_t, double, std::vector<quantile_estimate>, std::vector<top_k_entry>>;

} // namespace freshet::window
