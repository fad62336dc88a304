#pragma once

// Reason codes ingest gives clients, DLQ headers (`freshet.reason`) and metrics. Stable: clients
// and dashboards match on them, so never rename one.
//
// Dead-lettered (EVENT_STATUS_REJECTED) are, besides these, every JSON/Avro reason of
// `common/avro/errc.hpp` (`malformed_json`, `wrong_type`, `missing_field`, `null_not_allowed`,
// `unknown_enum_symbol`, `number_out_of_range`, `invalid_utf8`, `unknown_field`, `bad_timestamp`,
// `too_deep`, `not_confluent_framed`, `truncated`, `bad_varint`, `negative_length`,
// `length_too_large`, `bad_union_index`, `bad_enum_index`, `trailing_bytes`, `unresolvable`,
// `invalid_encoding`).

namespace freshet::ingest::reasons {

// ---- dead-lettered: the event is wrong and retrying it will not help ----------------------------
inline constexpr const char* unknown_stream = "unknown_stream";         ///< the pipeline has no such stream
inline constexpr const char* no_schema = "no_schema";                   ///< the stream declares no schema
inline constexpr const char* event_too_large = "event_too_large";       ///< payload over ingest.max_event_bytes
inline constexpr const char* unknown_schema_id = "unknown_schema_id";   ///< Avro framed with an id the registry lacks
inline constexpr const char* schema_mismatch = "schema_mismatch";       ///< id of another subject the stream cannot read
inline constexpr const char* avro_not_accepted = "avro_not_accepted";   ///< Avro input while running without a registry
inline constexpr const char* duplicate_event_id = "duplicate_event_id"; ///< the same event id twice in one batch
inline constexpr const char* bad_event_id = "bad_event_id";             ///< an event id that is not a short string
inline constexpr const char* missing_key = "missing_key";               ///< the stream's key field is null

// ---- EVENT_STATUS_RETRY: not taken, not dead-lettered; the client should send it again ----------
inline constexpr const char* registry_unavailable = "registry_unavailable"; ///< cannot look the schema id up now
inline constexpr const char* backpressure = "backpressure";                 ///< the producer's queue is full
inline constexpr const char* kafka_unavailable = "kafka_unavailable";       ///< Kafka did not acknowledge in time
inline constexpr const char* dlq_unavailable = "dlq_unavailable";           ///< the dead letter was not acknowledged

// ---- whole requests refused (gRPC status / HTTP status); nothing of them is taken ---------------
inline constexpr const char* empty_batch = "empty_batch";         ///< INVALID_ARGUMENT / 400
inline constexpr const char* batch_too_large = "batch_too_large"; ///< INVALID_ARGUMENT / 413 (events or bytes)
inline constexpr const char* overloaded = "overloaded";           ///< RESOURCE_EXHAUSTED / 429: in-flight bytes at the bound

} // namespace freshet::ingest::reasons
