#pragma once

#include <vector>

#include "common/config/metrics_spec.hpp"
#include "common/serving/metric_store.hpp"
#include "services/query/actors.hpp"

namespace freshet::query {

/// The metrics a query service knows: the pipeline spec's and the built-in ones.
struct metric_catalog {
  std::vector<config::metric_decl> metrics;
  [[nodiscard]] const config::metric_decl* find(const std::string& name) const;
};

/// Answers `QueryMetric` from the serving store: reads the range, keeps the rollups whose dims
/// match, and merges partitions (and windows, on request) through `serving::merge_rollups`.
[[nodiscard]] metric_answer answer_metric(serving::metric_store& store, const metric_catalog& catalog,
                                          const v1::QueryMetricRequest& req, int64_t now_ms);

/// Answers `GetEventCounts` from the built-in `event_counts` metric.
[[nodiscard]] counts_answer answer_counts(serving::metric_store& store, const v1::GetEventCountsRequest& req,
                                          int64_t window_ms, int64_t now_ms);

/// `ListMetrics`.
[[nodiscard]] v1::ListMetricsResponse list_metrics(const metric_catalog& catalog);

} // namespace freshet::query
