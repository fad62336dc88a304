#pragma once

#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>

#include "freshet/v1/query.pb.h"

namespace freshet::query {

using counts_atom = caf::atom_constant<caf::atom("counts")>;
using metric_atom = caf::atom_constant<caf::atom("metric")>;

/// A reader's answer: the response, or why there is none (the serving store is unreachable).
struct counts_answer {
  bool ok = false;
  std::string error;
  v1::GetEventCountsResponse response;
};

/// A reader's answer to a metric query: the response, or an error with a gRPC-like code.
struct metric_answer {
  enum class code { ok, invalid_argument, not_found, unavailable } status = code::unavailable;
  std::string error;
  v1::QueryMetricResponse response;
};

/// Owns a connection to the serving store and answers queries one at a time; several readers
/// run side by side so one slow query does not hold up the rest.
using reader_actor = caf::typed_actor<
  /// Event counts per window and stream over a time range (the built-in `event_counts` metric).
  caf::replies_to<counts_atom, v1::GetEventCountsRequest>::with<counts_answer>,
  /// One declared metric over a time range, partitions (and optionally windows) merged.
  caf::replies_to<metric_atom, v1::QueryMetricRequest>::with<metric_answer>>;

} // namespace freshet::query

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(freshet::v1::GetEventCountsRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(freshet::query::counts_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(freshet::v1::QueryMetricRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(freshet::query::metric_answer)
