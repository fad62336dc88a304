#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/base/result.hpp"

namespace freshet::quality_gate {

/// The parts of an http:// URL.
struct http_url {
  std::string host;
  std::string port = "80";
  std::string path = "/";
};

[[nodiscard]] result<http_url> parse_http_url(std::string_view url);

/// One HTTP/1.1 POST of a JSON body over a plain TCP socket, bounded by `timeout_ms` from connect
/// to the status line. Returns the response's status code. Blocking: call it off the hot path.
[[nodiscard]] result<int> http_post_json(const std::string& url, const std::string& body, int timeout_ms);

/// Posts alert bodies from its own thread, so the stage never waits on a slow or dead receiver.
/// The queue is bounded: when it is full a new alert is dropped (and reported), never queued.
/// `on_outcome` hears "delivered" (2xx), "failed" or "dropped"; it runs on the poster's thread
/// (or the caller's, for "dropped").
class webhook_poster {
 public:
  using outcome_fn = std::function<void(const std::string& outcome, const std::string& detail)>;

  webhook_poster(size_t capacity, int timeout_ms, outcome_fn on_outcome);
  ~webhook_poster();

  webhook_poster(const webhook_poster&) = delete;
  webhook_poster& operator=(const webhook_poster&) = delete;

  /// Never blocks; false when the queue was full and the alert was dropped.
  bool post(std::string url, std::string body);
  /// Lets the post in flight finish (bounded by the timeout), drops the rest, joins the thread.
  void stop();

 private:
  void run();

  size_t capacity_;
  int timeout_ms_;
  outcome_fn on_outcome_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace freshet::quality_gate
