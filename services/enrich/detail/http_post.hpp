#pragma once

#include <string>

#include "common/base/result.hpp"

namespace freshet::enrich::detail {

struct http_answer {
  int status = 0;
  std::string body;
};

/// One HTTP/1.1 POST over a fresh TCP connection (`Connection: close`), bounded by `timeout_ms`
/// from connect to the last byte. `url` is "http://host[:port]/path". Transport failures are
/// retriable errors; any HTTP status is an answer.
[[nodiscard]] result<http_answer> http_post(const std::string& url, const std::string& content_type,
                                            const std::string& body, int timeout_ms);

} // namespace freshet::enrich::detail
