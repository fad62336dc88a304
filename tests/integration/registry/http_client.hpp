#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace freshet::testing {

/// One HTTP/1.1 exchange with a server on 127.0.0.1 (a fresh connection each call; thread-safe).
struct http_reply {
  int status = 0; ///< 0: no answer
  std::string content_type;
  std::string body;
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  [[nodiscard]] int error_code() const {
    auto j = json();
    return j.is_object() && j.contains("error_code") ? j["error_code"].get<int>() : 0;
  }
};

[[nodiscard]] http_reply http_call(int port, const std::string& method, const std::string& target,
                                   const std::string& body = "");

} // namespace freshet::testing
