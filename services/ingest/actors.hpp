#pragma once

#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "services/ingest/publish_job.hpp"

namespace freshet::ingest {

using publish_atom = caf::atom_constant<caf::atom("publish")>;

/// Validates a batch, produces accepted events to the raw topic and rejected ones to the
/// dead-letter topic, and resolves the job event by event as Kafka acknowledges them.
/// Several publishers run side by side; the API spreads jobs over them.
using publisher_actor = caf::typed_actor<
  /// Handles one client batch; never blocks on Kafka (the job completes from delivery callbacks).
  caf::reacts_to<publish_atom, std::shared_ptr<publish_job>>>;

} // namespace freshet::ingest

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<freshet::ingest::publish_job>)
