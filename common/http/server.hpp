#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"

struct mg_context;
struct mg_connection;

namespace freshet::http {

struct request {
  std::string method;
  std::string path;  ///< decoded path without the query string
  std::string query; ///< raw query string
  std::string body;
  std::map<std::string, std::string> headers; ///< lower-case names

  /// A decoded query parameter, or `fallback`.
  [[nodiscard]] std::string param(const std::string& name, const std::string& fallback = "") const;
  [[nodiscard]] std::string header(const std::string& lower_name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Handlers run on the server's worker threads, concurrently; they must be thread-safe.
using handler = std::function<response(const request&)>;

/// A small HTTP/1.1 server (civetweb) with exact and prefix routes.
/// Routes are fixed before `start`; `stop` finishes in-flight requests and joins the workers.
class server {
 public:
  /// `listen` is "host:port". `max_body_bytes` bounds what a request may send.
  server(std::string listen, int threads = 4, size_t max_body_bytes = 16 << 20);
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// `pattern` ending in '*' matches by prefix; otherwise exactly. First match wins.
  void route(std::string method, std::string pattern, handler h);
  /// Serves a fixed text file body (e.g. the dashboard page).
  void static_text(std::string path, std::string content_type, std::string body);

  [[nodiscard]] status start();
  void stop();

  [[nodiscard]] const std::string& listen() const { return listen_; }

 private:
  static int on_request(mg_connection* conn, void* self);
  response dispatch(const request& req) const;

  struct route_entry {
    std::string method;
    std::string pattern;
    handler fn;
  };
  std::string listen_;
  int threads_;
  size_t max_body_;
  std::vector<route_entry> routes_;
  mg_context* ctx_ = nullptr;
};

/// `{"error_code": code, "message": msg}` with the given HTTP status.
[[nodiscard]] response json_error(int http_status, int error_code, const std::string& message);

/// Percent-decoding for paths and query values.
[[nodiscard]] std::string url_decode(const std::string& in, bool plus_is_space);

} // namespace freshet::http
