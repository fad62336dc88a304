#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/avro/schema.hpp"
#include "common/schema/registry_client.hpp"
#include "common/schema/schema_source.hpp"

namespace freshet::schema {

struct cache_options {
  /// How long "no such id" / "not in this subject" answers are remembered: a client hammering
  /// unknown ids costs one registry call per id per period.
  int64_t negative_ttl_ms = 10000;
  /// Bound on remembered misses (the oldest half goes when it is reached).
  std::size_t max_negative_entries = 10000;
  /// After a transport failure, calls fail fast for this long instead of each waiting a timeout.
  int64_t unreachable_backoff_ms = 1000;
};

/// A latest version with its parsed schema.
struct latest_schema {
  registered_schema registered;
  avro::schema parsed;
};

/// The registry client plus what it has learnt. An id never changes meaning, so id -> schema is
/// kept for good; misses are remembered for `negative_ttl_ms`. Thread-safe (a reader-writer lock
/// around the maps; registry calls happen outside it, so two threads may fetch one id at once).
///
/// Owned by the service's application; publishers and decoders hold a plain pointer.
class cached_registry final : public schema_source {
 public:
  explicit cached_registry(client_options opts, cache_options copts = {});

  [[nodiscard]] result<avro::schema> by_id(schema_id id) override;
  [[nodiscard]] result<bool> in_subject(const std::string& subject, schema_id id) override;

  /// Registers `text` under `subject` (idempotent) and caches the id.
  [[nodiscard]] result<schema_id> register_schema(const std::string& subject, const std::string& text);
  /// The subject's latest version (always asks the registry), cached by id.
  [[nodiscard]] result<latest_schema> latest(const std::string& subject);

  /// Adds a known id (e.g. one just registered) to the cache.
  void remember(schema_id id, avro::schema s);

  [[nodiscard]] std::size_t cached_ids() const;
  [[nodiscard]] registry_client& client() { return client_; }

 private:
  [[nodiscard]] status fail_fast() const;
  void note_failure(const error& e);
  void trim_negative();

  registry_client client_;
  cache_options opts_;
  mutable std::shared_mutex mtx_;
  std::unordered_map<int32_t, avro::schema> ids_;
  std::unordered_map<int32_t, int64_t> missing_ids_; ///< id -> expiry (ms)
  std::map<std::pair<std::string, int32_t>, bool> membership_; ///< positive answers only
  std::map<std::pair<std::string, int32_t>, int64_t> non_members_; ///< -> expiry (ms)
  int64_t unreachable_until_ms_ = 0;
  std::string last_failure_;
};

} // namespace freshet::schema
