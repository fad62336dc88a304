#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"

struct redisContext;

namespace freshet::redis {

/// A decoded Redis reply.
struct reply {
  enum class kind { nil, integer, string, array, status } type = kind::nil;
  int64_t integer = 0;
  std::string str;
  std::vector<reply> elements;
};

/// A synchronous connection with reconnect-on-failure. Not thread-safe: one per owner (actor).
class client {
 public:
  /// `address` is "host:port".
  explicit client(std::string address, int timeout_ms = 2000);
  ~client();

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Runs one command given as arguments (binary-safe). Redis error replies become errors.
  [[nodiscard]] result<reply> command(const std::vector<std::string>& args);

  /// Sends every command in one round trip; the replies come back in order.
  [[nodiscard]] result<std::vector<reply>> pipeline(const std::vector<std::vector<std::string>>& commands);

  [[nodiscard]] const std::string& address() const { return address_; }

 private:
  status ensure_connected();
  void drop();

  std::string address_;
  int timeout_ms_;
  redisContext* ctx_ = nullptr;
};

} // namespace freshet::redis
