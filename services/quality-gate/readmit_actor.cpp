#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/log/logger.hpp"
#include "services/quality-gate/actors.hpp"

namespace freshet::quality_gate {

namespace {

struct readmit_state {
  readmit_deps deps;
  static inline const char* name = "freshet.quality-gate.readmit";
};

using readmit_pointer = readmit_actor::stateful_pointer<readmit_state>;

void handle(readmit_state& st, const std::shared_ptr<readmit_call>& call) {
  auto stopping = st.deps.stopping;
  if (*stopping || call->cancelled) {
    call->done(make_error(error_domain::internal, static_cast<int>(readmit_errc::cancelled),
                          "readmit: cancelled (the service is stopping or the client left)"));
    return;
  }
  const auto& r = call->request;
  FRESHET_LOG(info, log::get("quality-gate.readmit"), "readmit: stream='{}' expectation='{}' dry_run={}", r.stream,
              r.expectation, r.dry_run);
  std::function<bool()> cancelled = [&call, &stopping] { return call->cancelled.load() || stopping->load(); };
  call->done(run_readmit(st.deps.config, r, *st.deps.judge, cancelled, st.deps.probe));
}

readmit_actor::behavior_type readmit_behavior(readmit_pointer self, readmit_deps deps) {
  self->state.deps = std::move(deps);
  return {
    [self](readmit_atom, std::shared_ptr<readmit_call> call) { handle(self->state, call); },
    [](drain_atom) { return true; },
  };
}

} // namespace

readmit_actor spawn_readmit_actor(caf::actor_system& sys, readmit_deps deps) {
  return sys.spawn<caf::detached>(readmit_behavior, std::move(deps));
}

} // namespace freshet::quality_gate
