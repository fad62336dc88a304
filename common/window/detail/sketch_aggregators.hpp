#pragma once

// Aggregators over the sketches: count_distinct (HyperLogLog), quantiles (DDSketch), top_k
// (Space-Saving). Internal: made through make_aggregator().

#include <memory>

#include "common/window/aggregator.hpp"
#include "common/window/detail/basic_aggregators.hpp"

namespace freshet::window::detail {

/// count_distinct, quantiles, top_k.
[[nodiscard]] footprint sketch_footprint(agg_kind k);
aggregator* construct_sketch(void* at, const aggregation_spec& spec);

} // namespace freshet::window::detail
