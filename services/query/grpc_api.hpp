#pragma once

#include <functional>

#include "freshet/v1/query.grpc.pb.h"
#include "services/query/actors.hpp"

namespace freshet::query {

/// Hands a request to a reader and calls back with the answer; never blocks.
using ask_fn = std::function<void(v1::GetEventCountsRequest, std::function<void(counts_answer)>)>;
using ask_metric_fn = std::function<void(v1::QueryMetricRequest, std::function<void(metric_answer)>)>;
using list_fn = std::function<v1::ListMetricsResponse()>;

/// What the APIs (gRPC and HTTP) ask of the readers.
struct query_backend {
  ask_fn counts;
  ask_metric_fn metric;
  list_fn list;
};

/// `QueryService` on gRPC's callback API; the reactor finishes when the reader answers.
class grpc_api final : public v1::QueryService::CallbackService {
 public:
  explicit grpc_api(query_backend backend) : backend_(std::move(backend)) {}

  grpc::ServerUnaryReactor* GetEventCounts(grpc::CallbackServerContext* ctx, const v1::GetEventCountsRequest* req,
                                           v1::GetEventCountsResponse* resp) override;
  grpc::ServerUnaryReactor* QueryMetric(grpc::CallbackServerContext* ctx, const v1::QueryMetricRequest* req,
                                        v1::QueryMetricResponse* resp) override;
  grpc::ServerUnaryReactor* ListMetrics(grpc::CallbackServerContext* ctx, const v1::ListMetricsRequest* req,
                                        v1::ListMetricsResponse* resp) override;

 private:
  query_backend backend_;
};

} // namespace freshet::query
