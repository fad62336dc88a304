#include "services/enrich/enrich_probe.hpp"

namespace freshet::enrich {

namespace {

const char* to_string(lookup_outcome o) {
  switch (o) {
    case lookup_outcome::hit: return "hit";
    case lookup_outcome::miss: return "miss";
    case lookup_outcome::error: return "error";
  }
  return "?";
}

template <class Builder>
auto& family(Builder b, const char* name, const char* help, prometheus::Registry& reg) {
  return b.Name(name).Help(help).Register(reg);
}

} // namespace

enrich_probe::enrich_probe(prometheus::Registry& reg)
    : lookups_(family(prometheus::BuildCounter(), "freshet_enrich_lookups_total",
                      "Lookups in reference tables, by table and outcome (hit, miss, error)", reg)),
      derived_misses_(family(prometheus::BuildCounter(), "freshet_enrich_derived_misses_total",
                             "Derived fields whose lookup found no row, by field and miss policy", reg)),
      enriched_(family(prometheus::BuildCounter(), "freshet_enrich_events_enriched_total",
                       "Events written to the enriched topic", reg)
                  .Add({})),
      quarantined_(family(prometheus::BuildCounter(), "freshet_enrich_events_quarantined_total",
                          "Events sent to the quarantine topic, by reason", reg)),
      retries_(family(prometheus::BuildCounter(), "freshet_enrich_batch_retries_total",
                      "Batches handed back to the stage for a retry, by reason", reg)),
      cache_lookups_(family(prometheus::BuildCounter(), "freshet_enrich_cache_lookups_total",
                            "Consultations of a Redis table's local cache, by table and result", reg)),
      cache_hit_ratio_(family(prometheus::BuildGauge(), "freshet_enrich_cache_hit_ratio",
                              "Share of cache consultations answered locally since start, by table", reg)),
      cache_entries_(family(prometheus::BuildGauge(), "freshet_enrich_cache_entries",
                            "Entries in a Redis table's local cache", reg)),
      table_rows_(family(prometheus::BuildGauge(), "freshet_enrich_reference_table_rows",
                         "Rows of a materialized reference table", reg)),
      table_lag_(family(prometheus::BuildGauge(), "freshet_enrich_reference_table_lag_records",
                        "Records of the dim topic not yet applied to the reference table", reg)),
      table_caught_up_(family(prometheus::BuildGauge(), "freshet_enrich_reference_table_caught_up",
                              "1 once the table has read its topic to the end as of start", reg)),
      table_rejected_(family(prometheus::BuildCounter(), "freshet_enrich_reference_records_rejected_total",
                             "Dim-topic records that are not JSON objects or hold no valid IP range", reg)),
      table_applied_(family(prometheus::BuildCounter(), "freshet_enrich_reference_records_applied_total",
                            "Dim-topic records applied to the reference table", reg)) {}

void enrich_probe::lookup(const std::string& table, lookup_outcome outcome) {
  lookups_.Add({{"table", table}, {"outcome", to_string(outcome)}}).Increment();
}

void enrich_probe::derived_miss(const std::string& field, config::miss_policy policy) {
  derived_misses_.Add({{"field", field}, {"policy", config::to_string(policy)}}).Increment();
}

void enrich_probe::enriched(size_t events) {
  enriched_.Increment(static_cast<double>(events));
}

void enrich_probe::quarantined(const std::string& reason) {
  quarantined_.Add({{"reason", reason}}).Increment();
}

void enrich_probe::batch_retried(const std::string& reason) {
  retries_.Add({{"reason", reason}}).Increment();
}

void enrich_probe::cache_lookup(const std::string& table, bool hit, size_t entries) {
  cache_lookups_.Add({{"table", table}, {"result", hit ? "hit" : "miss"}}).Increment();
  double ratio = 0;
  {
    std::lock_guard lock{mu_};
    auto& [hits, total] = cache_counts_[table];
    hits += hit ? 1 : 0;
    total += 1;
    ratio = static_cast<double>(hits) / static_cast<double>(total);
  }
  cache_hit_ratio_.Add({{"table", table}}).Set(ratio);
  cache_entries_.Add({{"table", table}}).Set(static_cast<double>(entries));
}

void enrich_probe::table_rows(const std::string& table, size_t rows) {
  table_rows_.Add({{"table", table}}).Set(static_cast<double>(rows));
}

void enrich_probe::table_lag(const std::string& table, int64_t records) {
  table_lag_.Add({{"table", table}}).Set(static_cast<double>(records));
}

void enrich_probe::table_caught_up(const std::string& table, bool caught_up) {
  table_caught_up_.Add({{"table", table}}).Set(caught_up ? 1 : 0);
}

void enrich_probe::table_rejected(const std::string& table, size_t records) {
  table_rejected_.Add({{"table", table}}).Increment(static_cast<double>(records));
}

void enrich_probe::table_applied(const std::string& table, size_t records) {
  table_applied_.Add({{"table", table}}).Increment(static_cast<double>(records));
}

} // namespace freshet::enrich
