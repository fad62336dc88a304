#pragma once

// Random scenarios for the property test: a metric's window shape and bounds, and a stream of
// steps — events out of order (some late, some too late) over 1–4 partitions that go quiet in
// phases, processing-time stalls that make partitions idle, ticks, and rebalances that assign and
// revoke partitions. The same seed always gives the same scenario.

#include <cstdint>

#include "tests/unit/window/oracle.hpp"

namespace freshet::window::test {

[[nodiscard]] scenario generate(uint64_t seed);

} // namespace freshet::window::test
