#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::config {

/// A constant from the spec (a default value). The same alternatives as `event::value`, so the
/// enrich service assigns it to an event field as it is.
using literal = std::variant<std::monostate, bool, int64_t, double, std::string>;

/// How a reference table describes IP ranges: a CIDR column, or first and last addresses.
struct ip_range_columns {
  std::string cidr;  ///< "10.0.0.0/8", "2001:db8::/32"
  std::string first; ///< or both of these: "1.0.0.0" .. "1.0.0.255" (inclusive)
  std::string last;
};

/// A table kept by another system in Redis hashes: `HGETALL <key_prefix><key>`, cached locally.
struct redis_table_options {
  std::string key_prefix;
  size_t cache_entries = 10000; ///< bound of the local LRU cache
  int64_t ttl_ms = 60000;       ///< how long a found row is trusted
  int64_t miss_ttl_ms = 5000;   ///< how long "no such key" is trusted
};

/// A reference table. Topic tables are compacted topics (JSON object values, keyed by `key_field`)
/// materialized locally by the enrich service; Redis tables are read through a cache.
struct table_spec {
  std::string name;
  std::string topic;       ///< topic tables: `topic:`, else the topic with role `dim_<name>`, else `dim.<name>`
  std::string key_field;   ///< topic tables: the field the records are keyed by
  std::string schema_file; ///< optional Avro schema of the rows (types of joined columns), resolved
  std::optional<ip_range_columns> ip_ranges;
  std::optional<redis_table_options> redis;

  [[nodiscard]] bool is_redis() const { return redis.has_value(); }
};

/// A function usable in expressions: `name(key)` = column `field` of the row `key` in `table`.
struct function_spec {
  std::string name;
  std::string table;
  std::string field;
};

/// What happens when a lookup finds no row (or an expression's lookup function finds none).
enum class miss_policy {
  null,        ///< the derived field(s) are null
  use_default, ///< the declared default value(s)
  quarantine,  ///< the event goes to the quarantine topic, reason `lookup_miss`, untouched
};

[[nodiscard]] const char* to_string(miss_policy p);

enum class derivation_kind { lookup, ip_lookup, device_class, expression };

[[nodiscard]] const char* to_string(derivation_kind k);

/// One derived field (or group of fields) of the `fields:` list, applied in order.
struct derived_field_spec {
  std::string name; ///< output path; dotted segments nest ("geo.country")
  derivation_kind kind = derivation_kind::lookup;
  std::vector<std::string> streams; ///< empty = every stream
  std::string table;                ///< lookup, ip_lookup
  std::string input;                ///< the key, IP or user-agent field
  std::vector<std::string> columns; ///< `fields: [a, b]`: outputs "<name>.a", "<name>.b"
  std::string column;               ///< `field: a`: output "<name>"
  std::string expression;           ///< expression source text
  std::string type;                 ///< optional Avro type of a single output ("double", "long", ...)
  miss_policy on_miss = miss_policy::null;
  /// Defaults for `on_miss: default`, by column ("" for a single output). Missing columns are null.
  std::map<std::string, literal> defaults;

  /// Output paths, in order.
  [[nodiscard]] std::vector<std::string> outputs() const;
  /// True when the field is derived for events of `stream`.
  [[nodiscard]] bool applies_to(const std::string& stream) const;
};

/// The `enrichments:` section of the pipeline spec (docs/pipeline-spec.md). Parsed by the enrich
/// service and by `freshet-admin load-dim`; other services ignore it.
struct enrichment_spec {
  std::vector<table_spec> tables;
  std::vector<function_spec> functions;
  std::vector<derived_field_spec> fields;

  [[nodiscard]] const table_spec* table(const std::string& name) const;
  [[nodiscard]] bool empty() const { return tables.empty() && fields.empty(); }
};

/// Parses the `enrichments:` section of a whole spec document; an absent section is an empty spec.
/// Names, references (tables, streams, functions), policies and defaults are checked here;
/// expressions and field-name clashes with the stream schemas are checked by the enrich service.
[[nodiscard]] result<enrichment_spec> parse_enrichment_spec(const std::string& yaml_text, const pipeline_spec& pipeline);

/// Reads `pipeline.path` and parses its `enrichments:` section.
[[nodiscard]] result<enrichment_spec> load_enrichment_spec(const pipeline_spec& pipeline);

} // namespace freshet::config
