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
  ask_(*req, [reactor, resp](counts_answer a) {
    if (!a.ok) {
      reactor->Finish({grpc::StatusCode::UNAVAILABLE, "serving store unavailable: " + a.error});
      return;
    }
    *resp = std::move(a.response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

} // namespace freshet::query
