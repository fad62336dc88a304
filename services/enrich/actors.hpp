#pragma once

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

namespace freshet::enrich {

using poll_atom = caf::atom_constant<caf::atom("poll")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

/// Materializes one compacted `dim.<name>` topic into its `reference_table`, on its own
/// (detached) actor: applies upserts and tombstones in offset order, marks the table caught up
/// once it has read to the topic's end as of start, and keeps applying updates live afterwards.
using table_loader_actor = caf::typed_actor<
  /// Reads what the topic has next, applies it, reports size and lag; re-arms itself.
  caf::reacts_to<poll_atom>,
  /// Stops reading, records the table's freshness for a later resume, and answers true.
  caf::replies_to<stop_atom>::with<bool>>;

} // namespace freshet::enrich
