#pragma once

#include <functional>
#include <memory>

#include "freshet/v1/quality.grpc.pb.h"
#include "services/quality-gate/actors.hpp"

namespace freshet::quality_gate {

/// Hands a call to the readmit actor; never blocks.
using submit_readmit_fn = std::function<void(std::shared_ptr<readmit_call>)>;

/// `QualityGateService` on gRPC's callback API: a Readmit call becomes a `readmit_call` for the
/// readmit actor and the reactor finishes when the actor answers. No gRPC thread waits; a client
/// that goes away cancels its job.
class grpc_api final : public v1::QualityGateService::CallbackService {
 public:
  explicit grpc_api(submit_readmit_fn submit) : submit_(std::move(submit)) {}

  grpc::ServerUnaryReactor* Readmit(grpc::CallbackServerContext* ctx, const v1::ReadmitRequest* req,
                                    v1::ReadmitResponse* resp) override;

 private:
  submit_readmit_fn submit_;
};

/// A job's result as the gRPC answer: counts, or CANCELLED / UNAVAILABLE with the reason.
[[nodiscard]] grpc::Status to_response(const result<readmit_counts>& r, bool dry_run, v1::ReadmitResponse& resp);

} // namespace freshet::quality_gate
