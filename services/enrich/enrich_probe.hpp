#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/config/enrichment_spec.hpp"

namespace freshet::enrich {

enum class lookup_outcome { hit, miss, error };

/// The enrich service's metrics. Thread-safe: the stage actor and the table loaders both report.
class enrich_probe {
 public:
  explicit enrich_probe(prometheus::Registry& reg);

  void lookup(const std::string& table, lookup_outcome outcome);
  void derived_miss(const std::string& field, config::miss_policy policy);
  void enriched(size_t events);
  void quarantined(const std::string& reason);
  void batch_retried(const std::string& reason);

  /// Redis tables: one cache consultation, and the cache's size.
  void cache_lookup(const std::string& table, bool hit, size_t entries);

  /// Reference tables, reported by their loaders.
  void table_rows(const std::string& table, size_t rows);
  void table_lag(const std::string& table, int64_t records);
  void table_caught_up(const std::string& table, bool caught_up);
  void table_rejected(const std::string& table, size_t records);
  void table_applied(const std::string& table, size_t records);

 private:
  prometheus::Family<prometheus::Counter>& lookups_;
  prometheus::Family<prometheus::Counter>& derived_misses_;
  prometheus::Counter& enriched_;
  prometheus::Family<prometheus::Counter>& quarantined_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& cache_lookups_;
  prometheus::Family<prometheus::Gauge>& cache_hit_ratio_;
  prometheus::Family<prometheus::Gauge>& cache_entries_;
  prometheus::Family<prometheus::Gauge>& table_rows_;
  prometheus::Family<prometheus::Gauge>& table_lag_;
  prometheus::Family<prometheus::Gauge>& table_caught_up_;
  prometheus::Family<prometheus::Counter>& table_rejected_;
  prometheus::Family<prometheus::Counter>& table_applied_;

  std::mutex mu_;
  std::map<std::string, std::pair<uint64_t, uint64_t>> cache_counts_; ///< table -> hits, lookups
};

} // namespace freshet::enrich
