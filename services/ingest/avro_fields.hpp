#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"

namespace freshet::ingest {

/// The few top-level fields ingest needs from an event (partition key, event time, event id).
struct event_fields {
  bool has_key = false;    ///< the schema has the key field
  bool key_null = false;   ///< ... and this event's value is null
  std::string key;         ///< string/enum as is, int/long as decimal text, bytes raw
  std::optional<int64_t> event_time_ms; ///< nothing: no event-time field, or null
  std::string event_id;    ///< a string "event_id" field, when the schema has one
};

/// Reads the key, event-time and event-id fields straight from Avro binary, skipping everything
/// else without building values: the per-event cost after JSON -> Avro stays a few nanoseconds per
/// skipped field. The data must already be known to be well-formed for the schema (ingest's own
/// encoder output, or bytes that passed `avro::decoder::check`); malformed data still fails safely.
///
/// Immutable after construction; safe to share.
class field_locator {
 public:
  /// Fails when a named field is missing (an empty name means "none") or has a type that cannot
  /// serve: keys must be string, enum, int, long or bytes; event time long or int (millis, or
  /// timestamp-micros); each optionally in a union with null.
  [[nodiscard]] static result<field_locator> make(const avro::schema& s, std::string_view key_field,
                                                  std::string_view time_field);

  /// Reads the fields from one datum (no framing). False only for malformed data.
  [[nodiscard]] bool read(std::string_view avro, event_fields& out) const;

 private:
  field_locator() = default;
  avro::schema schema_; ///< keeps the nodes alive
  const avro::node* root_ = nullptr;
  int key_index_ = -1;
  int time_index_ = -1;
  int id_index_ = -1;
  bool time_micros_ = false;
  int last_needed_ = -1;
};

} // namespace freshet::ingest
