#pragma once

#include <functional>

#include "freshet/v1/query.grpc.pb.h"
#include "services/query/actors.hpp"

namespace freshet::query {

/// Hands a request to a reader and calls back with the answer; never blocks.
using ask_fn = std::function<void(v1::GetEventCountsRequest, std::function<void(counts_answer)>)>;

/// `QueryService` on gRPC's callback API; the reactor finishes when the reader answers.
class grpc_api final : public v1::QueryService::CallbackService {
 public:
  explicit grpc_api(ask_fn ask) : ask_(std::move(ask)) {}

  grpc::ServerUnaryReactor* GetEventCounts(grpc::CallbackServerContext* ctx, const v1::GetEventCountsRequest* req,
                                           v1::GetEventCountsResponse* resp) override;

 private:
  ask_fn ask_;
};

} // namespace freshet::query
