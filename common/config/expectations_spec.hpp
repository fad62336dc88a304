#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::config {

/// What an expectation checks. Record-level kinds judge one event; windowed kinds judge a stream
/// over tumbling processing-time windows and raise alerts instead of routing events.
enum class expectation_kind {
  not_null,       ///< the fields are present and not null
  type,           ///< the field has a JSON type (string, number, integer, boolean)
  range,          ///< the field is a number within [min, max]
  in_set,         ///< the field's text is one of the values
  regex,          ///< the field's text contains a match of the pattern (anchor it with ^...$)
  length,         ///< the field is a string of min..max characters (code points)
  freshness,      ///< the field (epoch ms) is not ahead of receipt by more than max_ahead, nor older than max_age
  rule,           ///< a boolean expression over fields holds
  unique,         ///< the event id was not seen within the dedupe window
  null_ratio,     ///< windowed: share of events with the field missing or null <= max
  row_count,      ///< windowed: events per window within [min, max]
  distinct_ratio, ///< windowed: distinct values of the field / events within [min, max]
};

[[nodiscard]] const char* to_string(expectation_kind k);
[[nodiscard]] bool is_windowed(expectation_kind k);

/// What happens to an event that fails the expectation.
enum class expectation_severity {
  quarantine, ///< the event goes to the quarantine topic (the default)
  warn,       ///< the event passes; the failure is counted and named in `freshet.warnings`
  drop,       ///< `unique` only (its default): a duplicate is dropped and counted
};

[[nodiscard]] const char* to_string(expectation_severity s);

/// The JSON types `type` checks for.
enum class value_type { string, number, integer, boolean };

[[nodiscard]] const char* to_string(value_type t);

/// One declared expectation, as written in the spec (rules and patterns are compiled by the gate).
struct expectation_spec {
  std::string stream;
  std::string name; ///< unique within its stream; letters, digits, '_', '-', '.'
  expectation_kind kind = expectation_kind::not_null;
  expectation_severity severity = expectation_severity::quarantine;
  /// not_null: one or more fields; unique: the id (`event_id` = the `freshet.event_id` header);
  /// row_count, rule: none; every other kind: exactly one.
  std::vector<std::string> fields;
  value_type type = value_type::string;     ///< type
  std::optional<double> min;                ///< range, length, row_count, distinct_ratio
  std::optional<double> max;                ///< range, length, row_count, distinct_ratio, null_ratio
  bool exclusive_min = false;               ///< range
  bool exclusive_max = false;               ///< range
  std::vector<std::string> values;          ///< in_set
  std::string pattern;                      ///< regex (RE2 syntax)
  std::optional<int64_t> max_ahead_ms;      ///< freshness
  std::optional<int64_t> max_age_ms;        ///< freshness
  std::string expression;                   ///< rule
  int64_t dedupe_window_ms = 0;             ///< unique
  int64_t window_ms = 60000;                ///< windowed kinds
  int64_t min_rows = 1;                     ///< null_ratio, distinct_ratio: quieter windows are not judged
  std::string webhook;                      ///< windowed kinds: http:// URL for alerts; empty = none

  [[nodiscard]] const std::string& field() const { return fields.front(); }
};

/// The `expectations:` section of the pipeline spec. Documented in docs/pipeline-spec.md.
struct expectations_spec {
  std::string default_webhook; ///< used by windowed expectations that name none
  /// In declaration order; a stream's expectations are contiguous.
  std::vector<expectation_spec> expectations;

  [[nodiscard]] std::vector<const expectation_spec*> of_stream(std::string_view stream) const;
};

/// Parses the `expectations:` section of a pipeline spec's YAML text; streams must exist in `spec`.
/// A spec without the section has no expectations.
[[nodiscard]] result<expectations_spec> parse_expectations_spec(const std::string& yaml_text,
                                                                const pipeline_spec& spec);

/// Reads `spec.path` and parses its `expectations:` section.
[[nodiscard]] result<expectations_spec> load_expectations_spec(const pipeline_spec& spec);

/// "250ms", "30s", "5m", "24h", "7d", or a plain number of milliseconds.
[[nodiscard]] result<int64_t> parse_duration_ms(std::string_view text);

} // namespace freshet::config
