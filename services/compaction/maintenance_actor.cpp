#include "services/compaction/maintenance_actor.hpp"

#include <chrono>

#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/log/logger.hpp"

namespace freshet::compaction {

namespace {

struct maintenance_state {
  std::unique_ptr<maintenance> jobs;
  std::chrono::milliseconds interval{600'000};
  bool stopping = false;
  static inline const char* name = "freshet.lake_maintenance";
};

using maintenance_pointer = maintenance_actor::stateful_pointer<maintenance_state>;

maintenance_actor::behavior_type maintenance_behavior(maintenance_pointer self) {
  self->delayed_send(self, self->state.interval, maintain_atom::value);
  return {
    [self](maintain_atom) {
      if (self->state.stopping)
        return;
      (void) self->state.jobs->run_once();
      self->delayed_send(self, self->state.interval, maintain_atom::value);
    },
    [self](stop_atom) {
      self->state.stopping = true;
      self->quit();
      return true;
    },
  };
}

} // namespace

maintenance_actor spawn_maintenance(caf::actor_system& sys, std::unique_ptr<maintenance> m, int64_t interval_ms) {
  auto jobs = std::make_shared<std::unique_ptr<maintenance>>(std::move(m));
  return sys.spawn<caf::detached>([jobs, interval_ms](maintenance_pointer self) {
    self->state.jobs = std::move(*jobs);
    self->state.interval = std::chrono::milliseconds(interval_ms);
    return maintenance_behavior(self);
  });
}

void stop_maintenance(caf::actor_system& sys, const maintenance_actor& actor, int timeout_ms) {
  caf::scoped_actor self{sys};
  self->request(actor, std::chrono::milliseconds(timeout_ms), stop_atom::value)
    .receive([](bool) {},
             [&](const caf::error&) {
               FRESHET_LOG(warn, log::get("compaction"), "the maintenance actor did not stop in time");
             });
}

} // namespace freshet::compaction
