#pragma once

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

namespace freshet::compaction {

using poll_atom = caf::atom_constant<caf::atom("poll")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using maintain_atom = caf::atom_constant<caf::atom("maintain")>;

/// The lake writer's consume loop on its own (detached) actor: owns the group consumer and the
/// `lake_sink`, and is the only one touching either.
using lake_sink_actor = caf::typed_actor<
  /// Polls a batch, seeks newly assigned partitions to where the tables' txn versions say, appends
  /// the records, commits the tables that are due, commits the group offsets as a hint; re-arms itself.
  caf::reacts_to<poll_atom>,
  /// Commits every open file, leaves the group, and answers true.
  caf::replies_to<stop_atom>::with<bool>>;

/// The maintenance jobs (OPTIMIZE / Z-order, VACUUM, log cleanup) on their own (detached) actor,
/// beside the sink: owns the `maintenance` runner and its table handles.
using maintenance_actor = caf::typed_actor<
  /// One round over every table, then the next one `maintenance.interval_ms` later.
  caf::reacts_to<maintain_atom>,
  /// Stops (after the round in progress) and answers true.
  caf::replies_to<stop_atom>::with<bool>>;

} // namespace freshet::compaction
