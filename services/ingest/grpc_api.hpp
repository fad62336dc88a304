#pragma once

#include <functional>
#include <memory>

#include "freshet/v1/ingest.grpc.pb.h"
#include "services/ingest/publish_job.hpp"

namespace freshet::ingest {

/// Hands a job to a publisher actor (round robin); never blocks.
using submit_fn = std::function<void(std::shared_ptr<publish_job>)>;

inline constexpr int max_batch_events = 10000;

/// `IngestService` on gRPC's callback API: each call becomes a `publish_job` for a publisher actor
/// and the reactor finishes when the last event of the job is resolved. No gRPC thread waits.
class grpc_api final : public v1::IngestService::CallbackService {
 public:
  explicit grpc_api(submit_fn submit) : submit_(std::move(submit)) {}

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx, const v1::PublishRequest* req,
                                    v1::PublishResponse* resp) override;
  grpc::ServerReadReactor<v1::PublishRequest>* PublishStream(grpc::CallbackServerContext* ctx,
                                                             v1::PublishResponse* resp) override;

 private:
  submit_fn submit_;
};

/// Copies the request's events into the job's form.
[[nodiscard]] std::vector<incoming_event> to_incoming(const v1::PublishRequest& req);

} // namespace freshet::ingest
