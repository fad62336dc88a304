#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/http/server.hpp"

namespace freshet::testing {

/// A tiny in-memory Confluent Schema Registry on a loopback port, for tests of the client side:
/// POST /subjects/{s}/versions (idempotent; BACKWARD compatibility against the latest version),
/// GET /schemas/ids/{id}, POST /subjects/{s} (lookup), GET /subjects/{s}/versions/latest, with the
/// registry's error codes (40401, 40402, 40403, 409, 42201). Schemas are compared by their Avro
/// fingerprint, so one schema has one id across subjects, as in Confluent's registry.
/// It can be told to fail the next calls (HTTP 500) and it counts the calls it serves.
class registry_stub {
 public:
  registry_stub();
  ~registry_stub();

  void start();
  void stop();

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int port() const { return port_; }

  /// The next `n` calls answer 500.
  void fail_next(int n) { fail_next_ = n; }
  /// Calls served so far by route ("register", "by_id", "lookup", "latest").
  [[nodiscard]] int calls(const std::string& route) const;
  /// Registers directly (what another producer would have done); returns the id.
  int add(const std::string& subject, const std::string& schema_text);

 private:
  http::response handle(const std::string& route, const http::request& req);
  http::response register_version(const std::string& subject, const std::string& text);

  struct stored {
    int id;
    std::string text;
    uint64_t fingerprint;
  };
  int port_ = 0;
  std::unique_ptr<http::server> server_;
  mutable std::mutex mtx_;
  std::vector<stored> schemas_;                        ///< index = id - 1
  std::map<std::string, std::vector<int>> subjects_;   ///< subject -> ids of its versions, oldest first
  std::map<std::string, int> calls_;
  std::atomic<int> fail_next_{0};
};

} // namespace freshet::testing
