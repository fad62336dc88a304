#include "services/quality-gate/grpc_api.hpp"

namespace freshet::quality_gate {

namespace {

/// Owns the call for as long as gRPC owns the reactor, so a late cancel never touches freed memory.
class readmit_reactor final : public grpc::ServerUnaryReactor {
 public:
  explicit readmit_reactor(std::shared_ptr<readmit_call> call) : call_(std::move(call)) {}
  void OnCancel() override { call_->cancelled = true; }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<readmit_call> call_;
};

} // namespace

grpc::Status to_response(const result<readmit_counts>& r, bool dry_run, v1::ReadmitResponse& resp) {
  if (!r) {
    if (r.err().domain == error_domain::internal && r.err().code == static_cast<int>(readmit_errc::cancelled))
      return {grpc::StatusCode::CANCELLED, r.err().message};
    return {grpc::StatusCode::UNAVAILABLE, r.err().describe()};
  }
  resp.set_scanned(r->scanned);
  resp.set_readmitted(r->readmitted);
  resp.set_still_failing(r->still_failing);
  resp.set_skipped(r->skipped);
  resp.set_dry_run(dry_run);
  for (const auto& [name, n] : r->still_failing_by_expectation)
    (*resp.mutable_still_failing_by_expectation())[name] = n;
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* grpc_api::Readmit(grpc::CallbackServerContext*, const v1::ReadmitRequest* req,
                                            v1::ReadmitResponse* resp) {
  auto call = std::make_shared<readmit_call>();
  auto* reactor = new readmit_reactor(call);
  if (req->expectation().find(',') != std::string::npos) {
    reactor->Finish({grpc::StatusCode::INVALID_ARGUMENT, "expectation: one name, without commas"});
    return reactor;
  }
  call->request = {req->stream(), req->expectation(), req->dry_run()};
  bool dry_run = req->dry_run();
  call->done = [reactor, resp, dry_run](result<readmit_counts> r) { reactor->Finish(to_response(r, dry_run, *resp)); };
  submit_(std::move(call));
  return reactor;
}

} // namespace freshet::quality_gate
