#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/metrics_spec.hpp"
#include "freshet/v1/query.pb.h"
#include "freshet/v1/rollup.pb.h"

namespace freshet::serving {

/// How to combine a metric's stored rollups into answers.
struct merge_request {
  config::window_decl window;  ///< the metric's window (sessions and hopping merge differently)
  size_t dim_count = 0;        ///< the metric's group-by fields
  std::vector<size_t> keep;    ///< group-by positions kept in the answer, in order (roll-up)
  bool merge_windows = false;  ///< one row per group over every window given
  bool include_state = false;  ///< put the merged states into the rows
};

/// Merges the per-partition partial results of a metric (`v1::Rollup`, one per window, group and
/// source partition) into rows: per window and group — or per group over all windows with
/// `merge_windows` — by merging the aggregators' mergeable states, so that count, sum, min, max and
/// avg are exact and the sketches (HyperLogLog, DDSketch, Space-Saving) are those of the union.
///
/// - Sessions: a window's global sessions are the overlapping per-partition sessions of the same
///   group united; rolling sessions up to fewer group-by fields is only defined with
///   `merge_windows` (`invalid_argument` otherwise).
/// - Hopping windows with `merge_windows`: windows overlap, so only a tiling is merged — those
///   whose start is a whole number of window sizes after the earliest start given.
/// Rows come oldest window first, then by dims.
[[nodiscard]] result<std::vector<v1::MetricRow>> merge_rollups(std::span<const v1::Rollup> parts,
                                                               const merge_request& req);

} // namespace freshet::serving
