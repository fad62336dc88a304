#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/enrichment_spec.hpp"
#include "common/event/record.hpp"
#include "common/kafka/record.hpp"
#include "services/enrich/expression.hpp"
#include "services/enrich/table_source.hpp"

namespace freshet::enrich {

class enrich_probe;
class reference_table;

/// Reasons on quarantined records (header `freshet.reason`).
namespace reasons {
inline constexpr const char* lookup_miss = "lookup_miss";       ///< a lookup with on_miss: quarantine found no row
inline constexpr const char* undecodable = "undecodable";       ///< the value is neither Avro of a known schema nor a JSON object
inline constexpr const char* field_conflict = "field_conflict"; ///< the event already has a field in a derived path's way
} // namespace reasons

struct enricher_options {
  std::string stage = "enrich";
  std::string enriched_topic;
  std::string quarantine_topic;
  /// How long a batch waits for the reference tables to catch up before it is handed back for a retry.
  int ready_wait_ms = 1000;
  /// Pause before handing back a batch whose lookups failed (Redis down), so retries do not spin.
  int retry_backoff_ms = 500;
  /// Decodes a value of the valid topic for a stream (Confluent-framed Avro by schema id, or JSON);
  /// empty: JSON only. A retriable error (registry unreachable) retries the batch.
  std::function<result<event::record>(std::string_view value, std::string_view stream)> decode;
};

/// The tables a spec's derived fields may use, by name.
struct table_set {
  std::map<std::string, std::shared_ptr<table_source>> by_name;
  std::map<std::string, std::shared_ptr<reference_table>> reference; ///< the topic-backed ones (also in by_name)
};

/// The enrichment batch step: decodes each event, derives the spec's fields in order, and emits
/// the enriched event (same key, timestamp and headers; value re-encoded) or, for a miss under
/// `on_miss: quarantine` or an undecodable value, the original record to the quarantine topic with
/// reason headers. Never drops a record.
///
/// Lookups in one batch are answered once per (table, key). A lookup error (Redis down, a closed
/// store) or reference tables still catching up make the whole batch an error: the stage aborts
/// its transaction and polls the same records again.
///
/// Owned by the stage actor (its batch processor); not thread-safe.
class enricher {
 public:
  /// Compiles the derived fields (expressions are parsed here) against the tables.
  [[nodiscard]] static result<std::unique_ptr<enricher>> create(const config::enrichment_spec& spec, table_set tables,
                                                                enricher_options opts, enrich_probe* probe);
  ~enricher();

  /// Registered enriched schema ids by stream: stamped as `freshet.schema_id` on the outputs.
  void set_schema_ids(std::map<std::string, int32_t> ids) { schema_ids_ = std::move(ids); }

  [[nodiscard]] result<std::vector<kafka::outgoing_record>> process(const std::vector<kafka::consumed_record>& batch);

 private:
  enricher() = default;

  struct derivation;
  struct decoded;
  /// What became of one event.
  struct verdict {
    bool quarantine = false;
    std::string reason;
    std::string message;
  };

  status wait_for_tables();
  status prefetch(const std::vector<decoded>& events);
  result<verdict> derive_all(const std::string& stream, event::record& rec);
  result<row_ptr> lookup(table_source& table, const std::string& key);
  kafka::outgoing_record quarantined(const kafka::consumed_record& in, const verdict& why) const;
  kafka::outgoing_record enriched(const kafka::consumed_record& in, const std::string& stream,
                                  const event::record& rec) const;

  enricher_options opts_;
  enrich_probe* probe_ = nullptr;
  table_set tables_;
  std::vector<derivation> derivations_;
  struct function_binding {
    table_source* table;
    std::string column;
  };
  std::vector<function_binding> functions_;
  std::map<std::string, int32_t> schema_ids_;
  std::unordered_map<std::string, row_ptr> memo_; ///< "<table>\0<key>" -> row, for one batch
};

} // namespace freshet::enrich
