#pragma once

#include <cstddef>
#include <vector>

#include <grpcpp/support/message_allocator.h>

#include "freshet/v1/ingest.grpc.pb.h"
#include "services/ingest/dispatcher.hpp"
#include "services/ingest/publish_job.hpp"

namespace freshet::ingest {

/// Trailing metadata (gRPC) with the retry hint of refused calls, in milliseconds.
inline constexpr const char* retry_after_metadata = "retry-after-ms";

/// `IngestService` on gRPC's callback API: each batch becomes a `publish_job` for a publisher
/// actor and the reactor finishes when the job's last event is resolved. No gRPC thread waits.
///
/// `Publish`: a refused batch (empty, too large, overloaded, Kafka down) fails the call as a
/// whole — INVALID_ARGUMENT, RESOURCE_EXHAUSTED or UNAVAILABLE, the last two with
/// `retry-after-ms` — and nothing of it is taken. `PublishStream` never fails for one batch: a
/// batch that cannot be taken answers its events RETRY with the reason (too large: split it; Kafka
/// down), an empty one is skipped, and when ingest is at its memory bound the stream simply stops
/// reading until there is room (HTTP/2 flow control pushes back on the client).
class grpc_api final : public v1::IngestService::CallbackService {
 public:
  grpc_api(dispatcher& d, std::size_t max_stream_events);

  grpc::ServerUnaryReactor* Publish(grpc::CallbackServerContext* ctx, const v1::PublishRequest* req,
                                    v1::PublishResponse* resp) override;
  grpc::ServerReadReactor<v1::PublishRequest>* PublishStream(grpc::CallbackServerContext* ctx,
                                                             v1::PublishResponse* resp) override;

 private:
  /// `Publish` requests are parsed onto an arena: a batch's hundreds of event messages are then
  /// bump-allocated and freed at once, not one by one (the payloads are moved out into the job).
  class arena_allocator final : public grpc::MessageAllocator<v1::PublishRequest, v1::PublishResponse> {
   public:
    grpc::MessageHolder<v1::PublishRequest, v1::PublishResponse>* AllocateMessages() override;
  };

  dispatcher& dispatcher_;
  std::size_t max_stream_events_;
  arena_allocator allocator_;
};

/// Moves the request's events into the job's form (the request is consumed).
[[nodiscard]] std::vector<incoming_event> take_events(v1::PublishRequest& req);

} // namespace freshet::ingest
