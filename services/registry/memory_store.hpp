#pragma once

#include <shared_mutex>

#include "services/registry/schema_store.hpp"

namespace freshet::registry {

/// A `schema_store` in memory, for tests and for running without Kafka. Every record goes through
/// the `_schemas` codec (encode, then decode) before it is applied, as it would through Kafka.
class memory_store final : public schema_store {
 public:
  [[nodiscard]] status wait_ready(std::chrono::milliseconds) override { return {}; }
  void read(const state_reader& fn) const override;
  [[nodiscard]] status write(const write_planner& plan) override;

  /// Every record appended so far, encoded (the "topic").
  [[nodiscard]] std::vector<encoded_record> log() const;

 private:
  mutable std::shared_mutex mu_;
  registry_state state_;
  std::vector<encoded_record> log_;
};

} // namespace freshet::registry
