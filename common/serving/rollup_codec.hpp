#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/window/aggregator.hpp"
#include "common/window/emission.hpp"
#include "common/window/metric_spec.hpp"
#include "freshet/v1/rollup.pb.h"

namespace freshet::serving {

/// The Kafka key of a rollup: metric, dims, window start, window end and source partition joined
/// by 0x1F (dims may not hold 0x1F; the aggregate service replaces it). One key = one window of one
/// group from one input partition: a consumer keeps the highest revision per key.
[[nodiscard]] std::string rollup_key(std::string_view metric, std::span<const std::string> dims,
                                     const window::window_bounds& w, int32_t partition);

/// The Redis hash field of a rollup within its window: partition + length-prefixed dims.
[[nodiscard]] std::string rollup_field(std::span<const std::string> dims, int32_t partition);

/// An engine emission as a `v1::Rollup` (names and kinds from the spec; states when the
/// emission carries them).
[[nodiscard]] v1::Rollup to_rollup(const window::emission& e, const window::metric_spec& spec,
                                   std::string_view pipeline, int32_t partition, int64_t now_ms);

/// An engine result as a `v1::AggregateValue` (without name, kind and state).
void set_value(const window::agg_value& v, v1::AggregateValue& out);

[[nodiscard]] v1::RollupKind to_proto(window::emission_kind k);

} // namespace freshet::serving
