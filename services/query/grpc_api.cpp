#include "services/query/grpc_api.hpp"

namespace freshet::query {

grpc::ServerUnaryReactor* grpc_api::GetEventCounts(grpc::CallbackServerContext* ctx,
                                                   const v1::GetEventCountsRequest* req,
                                                   v1::GetEventCountsResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  if (req->to_ms() != 0 && req->to_ms() < req->from_ms()) {
    reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "to_ms is before from_ms"});
    return reactor;
  }
  backend_.counts(*req, [reactor, resp](counts_answer a) {
    if (!a.ok) {
      reactor->Finish({grpc::StatusCode::UNAVAILABLE, "serving store unavailable: " + a.error});
      return;
    }
    *resp = std::move(a.response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* grpc_api::QueryMetric(grpc::CallbackServerContext* ctx, const v1::QueryMetricRequest* req,
                                                v1::QueryMetricResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  backend_.metric(*req, [reactor, resp](metric_answer a) {
    switch (a.status) {
      case metric_answer::code::ok:
        *resp = std::move(a.response);
        reactor->Finish(grpc::Status::OK);
        return;
      case metric_answer::code::invalid_argument:
        reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, a.error});
        return;
      case metric_answer::code::not_found:
        reactor->Finish({grpc::StatusCode::NOT_FOUND, a.error});
        return;
      case metric_answer::code::unavailable:
        reactor->Finish({grpc::StatusCode::UNAVAILABLE, "serving store unavailable: " + a.error});
        return;
    }
  });
  return reactor;
}

grpc::ServerUnaryReactor* grpc_api::ListMetrics(grpc::CallbackServerContext* ctx, const v1::ListMetricsRequest*,
                                                v1::ListMetricsResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  *resp = backend_.list();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

} // namespace freshet::query
