#include "services/ingest/grpc_api.hpp"

#include <mutex>

namespace freshet::ingest {

std::vector<incoming_event> to_incoming(const v1::PublishRequest& req) {
  std::vector<incoming_event> events;
  events.reserve(static_cast<size_t>(req.events_size()));
  for (const auto& e : req.events())
    events.push_back({e.event_id(), e.payload(),
                      e.format() == v1::PAYLOAD_FORMAT_UNSPECIFIED ? v1::PAYLOAD_FORMAT_JSON : e.format()});
  return events;
}

namespace {

grpc::Status check_batch(const v1::PublishRequest& req) {
  if (req.events_size() == 0)
    return {grpc::StatusCode::INVALID_ARGUMENT, "empty batch: send at least one event"};
  if (req.events_size() > max_batch_events)
    return {grpc::StatusCode::INVALID_ARGUMENT, "batch of " + std::to_string(req.events_size()) +
                                                  " events; the limit is " + std::to_string(max_batch_events)};
  return grpc::Status::OK;
}

/// Collects every batch of a client stream; finishes once the client is done and every batch is resolved.
class stream_reactor final : public grpc::ServerReadReactor<v1::PublishRequest> {
 public:
  stream_reactor(const submit_fn& submit, v1::PublishResponse* resp) : submit_(submit), resp_(resp) {
    StartRead(&req_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::lock_guard guard{mtx_};
      reading_done_ = true;
      maybe_finish();
      return;
    }
    if (auto st = check_batch(req_); !st.ok()) {
      std::lock_guard guard{mtx_};
      failure_ = st;
    } else {
      std::lock_guard guard{mtx_};
      auto base = next_index_;
      next_index_ += static_cast<uint32_t>(req_.events_size());
      ++outstanding_;
      auto job = std::make_shared<publish_job>(req_.stream(), to_incoming(req_), [this, base](v1::PublishResponse r) {
        std::lock_guard inner{mtx_};
        for (auto& res : *r.mutable_results()) {
          res.set_index(res.index() + base);
          *resp_->add_results() = std::move(res);
        }
        resp_->set_accepted(resp_->accepted() + r.accepted());
        resp_->set_rejected(resp_->rejected() + r.rejected());
        --outstanding_;
        maybe_finish();
      });
      // Submitting under the lock is safe: completion happens on another thread and takes the lock later.
      submit_(std::move(job));
    }
    StartRead(&req_);
  }

  void OnDone() override { delete this; }

 private:
  void maybe_finish() {
    if (!reading_done_ || outstanding_ > 0 || finished_)
      return;
    finished_ = true;
    std::sort(resp_->mutable_results()->begin(), resp_->mutable_results()->end(),
              [](const auto& a, const auto& b) { return a.index() < b.index(); });
    Finish(failure_);
  }

  const submit_fn& submit_;
  v1::PublishResponse* resp_;
  v1::PublishRequest req_;
  std::mutex mtx_;
  uint32_t next_index_ = 0;
  int outstanding_ = 0;
  bool reading_done_ = false;
  bool finished_ = false;
  grpc::Status failure_ = grpc::Status::OK;
};

} // namespace

grpc::ServerUnaryReactor* grpc_api::Publish(grpc::CallbackServerContext* ctx, const v1::PublishRequest* req,
                                            v1::PublishResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  if (auto st = check_batch(*req); !st.ok()) {
    reactor->Finish(st);
    return reactor;
  }
  submit_(std::make_shared<publish_job>(req->stream(), to_incoming(*req), [reactor, resp](v1::PublishResponse r) {
    *resp = std::move(r);
    reactor->Finish(grpc::Status::OK);
  }));
  return reactor;
}

grpc::ServerReadReactor<v1::PublishRequest>* grpc_api::PublishStream(grpc::CallbackServerContext*,
                                                                     v1::PublishResponse* resp) {
  return new stream_reactor(submit_, resp);
}

} // namespace freshet::ingest
