#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::schema::detail {

struct http_answer {
  long status = 0;
  std::string body;
};

/// Blocking HTTP/1.1 calls through a small pool of libcurl easy handles, so that keep-alive
/// connections are reused across calls. Any thread may call; a handle serves one call at a time.
/// Transport failures (refused, timeout, reset) come back as `errc::unreachable`; HTTP statuses are
/// the caller's to interpret.
class curl_pool {
 public:
  curl_pool(int timeout_ms, int connect_timeout_ms);
  ~curl_pool();

  curl_pool(const curl_pool&) = delete;
  curl_pool& operator=(const curl_pool&) = delete;

  /// `body` null = no request body. JSON content type and Accept headers are the registry's.
  [[nodiscard]] result<http_answer> call(const char* method, const std::string& url, const std::string* body);

  /// Percent-encodes one path segment.
  [[nodiscard]] static std::string escape(std::string_view segment);

 private:
  void* take();
  void give(void* handle);

  int timeout_ms_;
  int connect_timeout_ms_;
  std::mutex mtx_;
  std::vector<void*> idle_;
};

} // namespace freshet::schema::detail
