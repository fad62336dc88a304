#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "services/quality-gate/readmit.hpp"

namespace freshet::quality_gate {

using readmit_atom = caf::atom_constant<caf::atom("readmit")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;

/// One Readmit call in flight. The gRPC reactor sets `cancelled` when the client goes away; the
/// actor calls `done` exactly once, from its own thread.
struct readmit_call {
  readmit_request request;
  std::atomic<bool> cancelled{false};
  std::function<void(result<readmit_counts>)> done;
};

/// Runs readmit jobs one at a time on its own (detached) thread: they block on Kafka, and one job
/// at a time is what keeps the readmit cursor simple. Calls queue in the mailbox.
using readmit_actor = caf::typed_actor<
  /// Runs the job and answers through `call->done`.
  caf::reacts_to<readmit_atom, std::shared_ptr<readmit_call>>,
  /// Answers once every call queued before it has been answered (after a stop, with an error).
  caf::replies_to<drain_atom>::with<bool>>;

struct readmit_deps {
  readmit_config config;
  const gate* judge = nullptr;
  quality_probe* probe = nullptr;
  /// Set when the service stops: the running job aborts, queued calls are answered at once.
  std::shared_ptr<std::atomic<bool>> stopping;
};

[[nodiscard]] readmit_actor spawn_readmit_actor(caf::actor_system& sys, readmit_deps deps);

} // namespace freshet::quality_gate

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<freshet::quality_gate::readmit_call>)
