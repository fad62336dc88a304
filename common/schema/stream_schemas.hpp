#pragma once

#include <cstdint>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/stream_catalog.hpp"

namespace freshet::schema {

class cached_registry;

struct registration_options {
  /// Registry unreachable (or 5xx) at start: keep retrying until this much time has passed.
  int64_t give_up_after_ms = 60000;
  int64_t retry_backoff_ms = 500;
};

/// Registers every stream's .avsc under its subject (idempotent: an already registered schema
/// keeps its id) and reads back each subject's latest version, which is what the catalogue holds
/// (a newer version registered by someone else wins over the local file). Retries retriable
/// failures until `give_up_after_ms`; an incompatible or invalid schema fails at once.
[[nodiscard]] result<stream_catalog> register_streams(const config::pipeline_spec& spec, cached_registry& registry,
                                                      registration_options opts = {});

/// The same streams with each subject's latest version read again (for periodic refresh).
[[nodiscard]] result<stream_catalog> refresh_latest(const stream_catalog& current, cached_registry& registry);

} // namespace freshet::schema
