#include "services/query/reader.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/serving/metric_store.hpp"

namespace freshet::query {

namespace {

struct reader_state {
  std::unique_ptr<redis::client> redis;
  std::unique_ptr<serving::metric_store> store;
  static inline const char* name = "freshet.query.reader";
};

} // namespace

reader_actor spawn_reader(caf::actor_system& sys, reader_config cfg) {
  return sys.spawn([cfg](reader_actor::stateful_pointer<reader_state> self) -> reader_actor::behavior_type {
    self->state.redis = std::make_unique<redis::client>(cfg.redis_address);
    self->state.store = std::make_unique<serving::metric_store>(*self->state.redis, cfg.pipeline);
    return {
      [self, cfg](counts_atom, const v1::GetEventCountsRequest& req) {
        return answer_counts(*self->state.store, req, cfg.window_ms, now_ms());
      },
      [self, cfg](metric_atom, const v1::QueryMetricRequest& req) {
        return answer_metric(*self->state.store, *cfg.catalog, req, now_ms());
      },
    };
  });
}

void ask_counts(caf::actor_system& sys, const reader_actor& reader, v1::GetEventCountsRequest req,
                std::function<void(counts_answer)> done) {
  sys.spawn([reader, req = std::move(req), done = std::move(done)](caf::event_based_actor* self) {
    self->request(reader, std::chrono::seconds(10), counts_atom::value, req)
      .then([done](const counts_answer& a) { done(a); },
            [done](const caf::error&) {
              counts_answer a;
              a.error = "the reader did not answer in time";
              done(a);
            });
  });
}

void ask_metric(caf::actor_system& sys, const reader_actor& reader, v1::QueryMetricRequest req,
                std::function<void(metric_answer)> done) {
  sys.spawn([reader, req = std::move(req), done = std::move(done)](caf::event_based_actor* self) {
    self->request(reader, std::chrono::seconds(10), metric_atom::value, req)
      .then([done](const metric_answer& a) { done(a); },
            [done](const caf::error&) {
              metric_answer a;
              a.error = "the reader did not answer in time";
              done(a);
            });
  });
}

} // namespace freshet::query
