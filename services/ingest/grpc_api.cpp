#include "services/ingest/grpc_api.hpp"

#include <algorithm>
#include <mutex>

#include <google/protobuf/arena.h>

#include "services/ingest/reasons.hpp"

namespace freshet::ingest {

std::vector<incoming_event> take_events(v1::PublishRequest& req) {
  std::vector<incoming_event> events;
  events.reserve(static_cast<size_t>(req.events_size()));
  for (auto& e : *req.mutable_events())
    events.push_back({std::move(*e.mutable_event_id()), std::move(*e.mutable_payload()),
                      e.format() == v1::PAYLOAD_FORMAT_UNSPECIFIED ? v1::PAYLOAD_FORMAT_JSON : e.format()});
  return events;
}

namespace {

grpc::Status to_status(const refusal& r) {
  switch (r.what) {
    case refusal::kind::overloaded: return {grpc::StatusCode::RESOURCE_EXHAUSTED, r.message};
    case refusal::kind::kafka_down: return {grpc::StatusCode::UNAVAILABLE, r.message};
    default: return {grpc::StatusCode::INVALID_ARGUMENT, r.message};
  }
}

/// Reads the client's batches one at a time; finishes once the client is done and every batch
/// is resolved, with every event's result in order.
class stream_reactor final : public grpc::ServerReadReactor<v1::PublishRequest> {
 public:
  stream_reactor(dispatcher& d, std::size_t max_events, v1::PublishResponse* resp)
      : dispatcher_(d), max_events_(max_events), resp_(resp) {
    StartRead(&req_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::lock_guard guard{mtx_};
      reading_done_ = true;
      maybe_finish();
      return;
    }
    auto events = take_events(req_);
    auto bytes = dispatcher::payload_bytes(events);
    std::string stream = req_.stream();
    if (!events.empty()) {
      auto refused = dispatcher_.check(events.size(), bytes);
      std::unique_lock guard{mtx_};
      auto base = next_index_;
      next_index_ += static_cast<uint32_t>(events.size());
      if (!refused && next_index_ > max_events_) {
        refused.reason = reasons::batch_too_large;
        refused.message = "this stream has carried " + std::to_string(max_events_) +
                          " events, its limit: finish it and open another";
      }
      if (refused.reason.empty()) {
        ++outstanding_;
        guard.unlock();
        auto job = std::make_shared<publish_job>(std::move(stream), std::move(events),
                                                 [this, base](v1::PublishResponse r) { merge(base, std::move(r)); });
        dispatcher_.submit_anyway(std::move(job), bytes);
      } else {
        for (size_t i = 0; i < events.size(); ++i) {
          auto* res = resp_->add_results();
          res->set_index(base + static_cast<uint32_t>(i));
          res->set_event_id(events[i].event_id);
          res->set_status(v1::EVENT_STATUS_RETRY);
          res->set_reason_code(refused.reason);
          res->set_message(refused.message);
        }
        dispatcher_.probe().retry(stream, refused.reason, events.size());
      }
    }
    // Backpressure: read on only when ingest has room; the client's writes then block on HTTP/2 flow control.
    dispatcher_.gate().when_room([this] { StartRead(&req_); });
  }

  void OnDone() override { delete this; }

 private:
  void merge(uint32_t base, v1::PublishResponse r) {
    std::lock_guard guard{mtx_};
    for (auto& res : *r.mutable_results()) {
      res.set_index(res.index() + base);
      *resp_->add_results() = std::move(res);
    }
    resp_->set_accepted(resp_->accepted() + r.accepted());
    resp_->set_rejected(resp_->rejected() + r.rejected());
    --outstanding_;
    maybe_finish();
  }

  void maybe_finish() {
    if (!reading_done_ || outstanding_ > 0 || finished_)
      return;
    finished_ = true;
    std::sort(resp_->mutable_results()->begin(), resp_->mutable_results()->end(),
              [](const auto& a, const auto& b) { return a.index() < b.index(); });
    Finish(grpc::Status::OK);
  }

  dispatcher& dispatcher_;
  std::size_t max_events_;
  v1::PublishResponse* resp_;
  v1::PublishRequest req_;
  std::mutex mtx_;
  uint32_t next_index_ = 0;
  int outstanding_ = 0;
  bool reading_done_ = false;
  bool finished_ = false;
};

} // namespace

namespace {

/// The request on an arena sized for a typical batch; the response on the heap, so that the job's
/// finished response moves into it without a copy.
class arena_holder final : public grpc::MessageHolder<v1::PublishRequest, v1::PublishResponse> {
 public:
  arena_holder() : arena_(options()) {
    set_request(google::protobuf::Arena::CreateMessage<v1::PublishRequest>(&arena_));
    set_response(&response_);
  }
  void Release() override { delete this; }

 private:
  static google::protobuf::ArenaOptions options() {
    google::protobuf::ArenaOptions o;
    o.start_block_size = 64 << 10;
    o.max_block_size = 1 << 20;
    return o;
  }

  google::protobuf::Arena arena_;
  v1::PublishResponse response_;
};

} // namespace

grpc::MessageHolder<v1::PublishRequest, v1::PublishResponse>* grpc_api::arena_allocator::AllocateMessages() {
  return new arena_holder;
}

grpc_api::grpc_api(dispatcher& d, std::size_t max_stream_events) : dispatcher_(d), max_stream_events_(max_stream_events) {
  SetMessageAllocatorFor_Publish(&allocator_);
}

grpc::ServerUnaryReactor* grpc_api::Publish(grpc::CallbackServerContext* ctx, const v1::PublishRequest* req,
                                            v1::PublishResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  // The request is ours until the reactor finishes; its payloads are moved into the job rather than copied.
  auto events = take_events(const_cast<v1::PublishRequest&>(*req));
  auto bytes = dispatcher::payload_bytes(events);
  auto refused = dispatcher_.check(events.size(), bytes);
  if (!refused) {
    auto job = std::make_shared<publish_job>(req->stream(), std::move(events), [reactor, resp](v1::PublishResponse r) {
      *resp = std::move(r);
      reactor->Finish(grpc::Status::OK);
    });
    refused = dispatcher_.submit(std::move(job), bytes);
    if (!refused)
      return reactor;
  } else {
    dispatcher_.probe().request_refused(refused.reason);
  }
  if (refused.retry_after_ms > 0)
    ctx->AddTrailingMetadata(retry_after_metadata, std::to_string(refused.retry_after_ms));
  reactor->Finish(to_status(refused));
  return reactor;
}

grpc::ServerReadReactor<v1::PublishRequest>* grpc_api::PublishStream(grpc::CallbackServerContext*,
                                                                     v1::PublishResponse* resp) {
  return new stream_reactor(dispatcher_, max_stream_events_, resp);
}

} // namespace freshet::ingest
