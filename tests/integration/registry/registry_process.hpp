#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/integration/registry/http_client.hpp"
#include "tests/support/process.hpp"

namespace freshet::testing {

/// Writes a pipeline spec whose `schemas` topic is `schemas_topic`; returns its path.
std::string registry_spec(const std::string& schemas_topic);

/// A `freshet-registry` child process on free ports, answering REST once started.
class registry_process {
 public:
  /// `name` names the log file; replicas of one registry share `spec`.
  registry_process(const std::string& name, const std::string& spec);
  ~registry_process();

  /// (Re)starts the process on the same ports and waits until `GET /subjects` answers 200.
  void start();
  /// SIGTERM (or SIGKILL when `crash`) and wait; the exit code.
  int stop(bool crash = false);

  [[nodiscard]] int port() const { return http_port_; }
  [[nodiscard]] int metrics_port() const { return metrics_port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  [[nodiscard]] http_reply call(const std::string& method, const std::string& target, const std::string& body = "") const {
    return http_call(http_port_, method, target, body);
  }
  /// Registers and returns the id, or -1 (with the answer in `last`).
  int reg(const std::string& subject, const nlohmann::json& schema, http_reply* last = nullptr) const;

 private:
  std::string name_, spec_;
  int http_port_ = 0, grpc_port_ = 0, metrics_port_ = 0;
  std::unique_ptr<child_process> proc_;
};

/// Everything a registry serves (subjects with soft-deleted versions, each version, every schema
/// by id, global and subject levels), as one JSON document: equal documents = equal registries.
[[nodiscard]] nlohmann::json dump_registry(const registry_process& r);

} // namespace freshet::testing
