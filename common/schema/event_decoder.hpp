#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "common/avro/decoder.hpp"
#include "common/base/result.hpp"
#include "common/event/record.hpp"
#include "common/schema/schema_source.hpp"
#include "common/schema/stream_catalog.hpp"

namespace freshet::schema {

/// Decodes the values on the event topics into records, for the stages after ingest.
///
/// - Confluent-framed Avro (magic 0, schema id, Avro binary) — what ingest writes, and what
///   third-party producers may write straight to the raw topic — is decoded with the writer's
///   schema (by id, from `registry`) and resolved to the stream's current schema from `streams`
///   when the stream has one, so fields added later appear with their defaults.
///   Id 0 is what an ingest without a registry writes: it means "the stream's local schema".
/// - A value starting with '{' is read as a JSON object (records written before Avro, tools).
///
/// Errors: `avro::errc` reasons for bad bytes (`truncated`, `not_confluent_framed`, ...),
/// `schema::errc::schema_not_found` for an id the registry does not know, and retriable errors
/// when the registry cannot be reached (the caller should retry, not quarantine).
/// Thread-safe; decoders are built once per (writer id, stream) and shared.
class event_decoder {
 public:
  /// `registry` may be null: then only id 0 decodes.
  event_decoder(schema_source* registry, std::shared_ptr<const stream_catalog> streams);

  [[nodiscard]] result<event::record> decode(std::string_view value, std::string_view stream) const;

  /// The decoder for data written with `id` and read as `stream`'s current schema.
  [[nodiscard]] result<std::shared_ptr<const avro::decoder>> decoder_for(schema_id id, std::string_view stream) const;

 private:
  schema_source* registry_;
  std::shared_ptr<const stream_catalog> streams_;
  mutable std::shared_mutex mtx_;
  mutable std::map<std::pair<int32_t, std::string>, std::shared_ptr<const avro::decoder>, std::less<>> decoders_;
};

} // namespace freshet::schema
