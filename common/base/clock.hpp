#pragma once

#include <cstdint>
#include <string>

namespace freshet {

/// Wall-clock milliseconds since the Unix epoch.
[[nodiscard]] int64_t now_ms();

/// Wall-clock milliseconds at the kernel tick's resolution (a few ms) and a fraction of `now_ms`'s
/// cost: for per-event hot paths that only compare against timeouts of seconds.
[[nodiscard]] int64_t now_ms_coarse();

/// Monotonic nanoseconds, for latency measurements only.
[[nodiscard]] int64_t mono_ns();

/// RFC 3339 UTC text ("2026-11-25T06:44:05.123Z") for a millisecond timestamp.
[[nodiscard]] std::string format_utc_ms(int64_t ms);

} // namespace freshet
