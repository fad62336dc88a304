#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::config {

/// One aggregation of a metric as declared: `{name: revenue, sum: amount_usd}`. The kind names
/// are those of the windowing engine (`count`, `sum`, `min`, `max`, `avg`, `count_distinct`,
/// `quantiles`, `top_k`); the aggregate service turns this into `window::aggregation_spec`
/// (common/config does not depend on the engine).
struct aggregation_decl {
  std::string name;  ///< output name, unique within the metric
  std::string kind;  ///< one of the kind names above
  std::string field; ///< input field (dotted path); empty for `count: '*'`
  int precision = 12;              ///< count_distinct: HyperLogLog precision, 4..18
  double relative_accuracy = 0.01; ///< quantiles
  uint32_t max_bins = 2048;        ///< quantiles
  std::vector<double> quantiles{0.5, 0.9, 0.95, 0.99}; ///< quantiles: `q: [...]`
  uint32_t k = 10;                 ///< top_k
  uint32_t capacity = 0;           ///< top_k: Space-Saving counters, 0 = max(10·k, 100)
};

enum class window_type { tumbling, hopping, session };

[[nodiscard]] const char* to_string(window_type t);

struct window_decl {
  window_type type = window_type::tumbling;
  int64_t size_ms = 60'000; ///< tumbling, hopping
  int64_t hop_ms = 0;       ///< hopping
  int64_t gap_ms = 0;       ///< session
  int64_t offset_ms = 0;    ///< tumbling, hopping: boundaries shifted off the epoch
};

/// One entry of the `metrics:` section. Documented in docs/pipeline-spec.md#metrics.
struct metric_decl {
  std::string name;   ///< letters, digits, '_' (it names Redis keys, rollup keys and metrics)
  std::string stream; ///< a declared stream, or "*" for every stream
  std::string filter; ///< expression text (compiled by the aggregate service); empty = every event
  std::vector<std::string> group_by;
  std::vector<aggregation_decl> aggregations;
  window_decl window;
  /// Epoch-ms field holding the event time; empty = the stream's `event_time`. `_timestamp` (and
  /// events that lack the field) use the Kafka record timestamp, which ingest sets to the event time.
  std::string event_time;
  int64_t allowed_lateness_ms = 0;
  int64_t out_of_orderness_ms = 0;
  int64_t idle_timeout_ms = 60'000; ///< 0 = a quiet partition holds its windows open forever
  int64_t early_every_ms = 0;       ///< 0 = no early results: final (and late) ones only
  bool builtin = false;             ///< added by the platform, not declared in the spec
};

/// The metric every pipeline has without declaring it: events per stream in tumbling windows of
/// `window_ms` by record timestamp (what `QueryService.GetEventCounts` serves).
inline constexpr const char* event_counts_metric = "event_counts";
[[nodiscard]] metric_decl builtin_event_counts(int64_t window_ms, int64_t allowed_lateness_ms,
                                               int64_t early_every_ms);

/// The `metrics:` section of the pipeline spec.
struct metrics_spec {
  std::vector<metric_decl> metrics; ///< in declaration order

  [[nodiscard]] const metric_decl* find(std::string_view name) const;
};

/// Parses the `metrics:` section of a pipeline spec's YAML text; streams must exist in `spec`.
/// A spec without the section has no metrics. Unknown keys are errors.
[[nodiscard]] result<metrics_spec> parse_metrics_spec(const std::string& yaml_text, const pipeline_spec& spec);

/// Reads `spec.path` and parses its `metrics:` section.
[[nodiscard]] result<metrics_spec> load_metrics_spec(const pipeline_spec& spec);

} // namespace freshet::config
