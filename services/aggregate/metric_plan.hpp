#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/metrics_spec.hpp"
#include "common/window/metric_spec.hpp"
#include "services/aggregate/filter_expression.hpp"

namespace freshet::aggregate {

/// One metric of the pipeline spec, ready to run: the engine's `metric_spec` and the compiled filter.
///
/// The filter runs in the service (it reads the whole decoded event, metadata included); the
/// operator's `filter` only reads the verdict the service sets just before each `on_event`, so that
/// filtered events still advance the watermark inside the engine.
struct metric_plan {
  config::metric_decl decl;
  /// `filter` is unset here: each operator gets one that reads its own verdict flag.
  window::metric_spec spec;
  std::optional<filter_expression> filter;

  [[nodiscard]] bool applies_to(std::string_view stream) const { return decl.stream == "*" || decl.stream == stream; }
};

/// Checks a declared metric against the engine (`window::validate`) and compiles its filter.
[[nodiscard]] result<metric_plan> plan_metric(const config::metric_decl& decl);

/// The declared metrics and the built-in ones, in that order (built-ins first).
[[nodiscard]] result<std::vector<metric_plan>> plan_metrics(const std::vector<config::metric_decl>& builtins,
                                                            const config::metrics_spec& declared);

} // namespace freshet::aggregate
