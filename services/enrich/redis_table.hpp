#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/config/enrichment_spec.hpp"
#include "services/enrich/lru_cache.hpp"
#include "services/enrich/table_source.hpp"

namespace freshet::redis {
class client;
} // namespace freshet::redis

namespace freshet::enrich {

class enrich_probe;

/// A table owned by another system and kept in Redis hashes: row `key` is `HGETALL <prefix><key>`
/// (every hash field a column, every value a string). Rows and misses are cached locally in a
/// bounded LRU cache with TTLs, since the data changes under us and we cannot be told.
///
/// Owned and called by the stage actor only (the Redis client is not thread-safe).
/// Redis unreachable is a retriable error: the stage retries the batch, nothing is dropped.
class redis_table final : public table_source {
 public:
  redis_table(std::string name, config::redis_table_options opts, std::shared_ptr<redis::client> client,
              enrich_probe* probe, lru_cache<std::string, row_ptr>::clock_fn clock);

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] result<row_ptr> find(const std::string& key) override;
  /// One pipelined round trip for the keys the cache cannot answer; keeps the answers for this
  /// batch's `find` calls even when the cache is smaller than the batch.
  [[nodiscard]] status prefetch(const std::vector<std::string>& keys) override;

  [[nodiscard]] const lru_cache<std::string, row_ptr>& cache() const { return cache_; }

 private:
  result<std::vector<row_ptr>> fetch(const std::vector<std::string>& keys);
  void remember(const std::string& key, const row_ptr& row);

  std::string name_;
  config::redis_table_options opts_;
  std::shared_ptr<redis::client> client_;
  enrich_probe* probe_;
  lru_cache<std::string, row_ptr> cache_; ///< a null row_ptr is a cached "no such key"
  std::unordered_map<std::string, row_ptr> batch_; ///< the answers of the last prefetch
};

} // namespace freshet::enrich
