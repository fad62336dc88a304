#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"

namespace freshet::schema {

/// Runs `call` (returning a `result<T>`) until it succeeds, fails for good (a non-retriable error:
/// an incompatible or invalid schema), or the next attempt would start past `deadline_ms` (on the
/// `now_ms` clock). For the registry calls services make at start, when the registry may still be
/// coming up. Logs the first failure and every tenth.
template <class F>
auto with_retries(F&& call, int64_t deadline_ms, int64_t backoff_ms, const std::string& what) -> decltype(call()) {
  auto logger = log::get("schema");
  for (int attempt = 1;; ++attempt) {
    auto r = call();
    if (r.ok() || !r.err().retriable || now_ms() + backoff_ms > deadline_ms)
      return r;
    if (attempt == 1 || attempt % 10 == 0)
      FRESHET_LOG(warn, logger, "{}: {} (attempt {}; retrying)", what, r.err().message, attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
  }
}

} // namespace freshet::schema
