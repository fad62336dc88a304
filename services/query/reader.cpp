#include "services/query/reader.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/serving/count_store.hpp"

namespace freshet::query {

namespace {

struct reader_state {
  std::unique_ptr<redis::client> redis;
  std::unique_ptr<serving::count_store> store;
  static inline const char* name = "freshet.query.reader";
};

counts_answer answer(serving::count_store& store, const v1::GetEventCountsRequest& req) {
  counts_answer a;
  int64_t to = req.to_ms() > 0 ? req.to_ms() : now_ms() + store.window_ms();
  auto rows = store.read(req.from_ms(), to, req.stream());
  if (!rows) {
    a.error = rows.err().describe();
    return a;
  }
  a.ok = true;
  int64_t total = 0;
  for (const auto& r : *rows) {
    auto* w = a.response.add_windows();
    w->set_window_start_ms(r.window_start_ms);
    w->set_window_end_ms(r.window_start_ms + store.window_ms());
    w->set_stream(r.stream);
    w->set_count(r.count);
    total += r.count;
    (*a.response.mutable_total_by_stream())[r.stream] += r.count;
  }
  a.response.set_total(total);
  return a;
}

} // namespace

reader_actor spawn_reader(caf::actor_system& sys, reader_config cfg) {
  return sys.spawn([cfg](reader_actor::stateful_pointer<reader_state> self) -> reader_actor::behavior_type {
    self->state.redis = std::make_unique<redis::client>(cfg.redis_address);
    self->state.store = std::make_unique<serving::count_store>(*self->state.redis, cfg.pipeline, cfg.window_ms);
    return {
      [self](counts_atom, const v1::GetEventCountsRequest& req) { return answer(*self->state.store, req); },
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

} // namespace freshet::query
