#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/schema_source.hpp"
#include "common/schema/stream_catalog.hpp"
#include "services/ingest/avro_fields.hpp"

namespace freshet::ingest {

enum class payload_format { json, avro };

struct check_limits {
  std::size_t max_event_bytes = 1 << 20;
  std::size_t max_event_id_bytes = 256;
};

/// What the publisher needs from a payload that passed: the bytes to produce and their metadata.
struct checked_event {
  std::string value;            ///< Confluent-framed Avro (a reused buffer: swap, do not copy)
  std::string key;              ///< the stream's key field ("" = no key field)
  int64_t event_time_ms = 0;    ///< the event-time field, or the receipt time when the stream has none / it is null
  std::string payload_event_id; ///< an event id the payload carried ("event_id" member or field), may be empty
  int32_t schema_id = 0;        ///< the id in the frame
};

/// Why an event was not taken. `reason` is a stable code (`reasons.hpp` or an `avro::errc` name).
struct rejection {
  std::string reason;
  std::string message;
  int32_t schema_id = -1; ///< the schema id involved, -1 when none is known
  bool retry = false;     ///< transient (registry unreachable): tell the client to retry, do not dead-letter
};

/// The whole per-event check of ingest, for one publisher (not thread-safe; one per actor).
///
/// JSON: size, the optional "event_id" envelope member (taken out when the schema has no such
/// field), then JSON -> Avro with the stream's latest schema, framed with its id; key and event
/// time are read back from the Avro bytes.
/// Avro: needs a registry; the frame's id must be known and be a version of the stream's subject,
/// or a schema the stream's latest can read (then the data is decoded through resolution); the
/// bytes must be one well-formed datum. The original bytes are what gets produced.
class payload_checker {
 public:
  /// `registry` null: no registry (Avro input refused). `catalog` must outlive nothing: it is shared.
  payload_checker(const config::pipeline_spec& spec, std::shared_ptr<const schema::stream_catalog> catalog,
                  schema::schema_source* registry, check_limits limits = {});

  /// Swaps in a newer catalogue (after a schema refresh); plans are rebuilt lazily.
  void set_catalog(std::shared_ptr<const schema::stream_catalog> catalog);
  [[nodiscard]] const schema::stream_catalog& catalog() const { return *catalog_; }

  [[nodiscard]] bool check(std::string_view stream, std::string_view payload, payload_format format,
                           int64_t received_at_ms, checked_event& out, rejection& why);

  /// The id JSON events of `stream` are framed with, or -1 for an unknown stream.
  [[nodiscard]] int32_t schema_id_of(std::string_view stream);

 private:
  struct stream_plan {
    const config::stream_spec* spec = nullptr;
    const schema::stream_schema* schema = nullptr;
    std::unique_ptr<avro::json_encoder> encoder;
    std::unique_ptr<avro::json_encoder> lenient; ///< unknown fields ignored: diagnoses broken JSON with an "event_id" member
    std::optional<field_locator> fields;
    std::string problem; ///< why events of this stream cannot be taken (set with `problem_reason`)
    const char* problem_reason = nullptr;
    bool strip_event_id = false; ///< the schema has no "event_id" field: a JSON member of that name is the envelope's
  };
  struct writer_plan {
    std::shared_ptr<const avro::decoder> dec;
    bool resolving = false; ///< another subject's schema the stream can read: decode through resolution
    std::optional<field_locator> fields;
  };
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  stream_plan& plan_for(std::string_view stream);
  const writer_plan* writer_plan_for(stream_plan& plan, int32_t id, rejection& why);
  bool check_json(stream_plan& plan, std::string_view payload, int64_t received_at_ms, checked_event& out,
                  rejection& why);
  bool check_avro(stream_plan& plan, std::string_view payload, int64_t received_at_ms, checked_event& out,
                  rejection& why);
  bool take_fields(const stream_plan& plan, const field_locator& fields, std::string_view avro, int64_t received_at_ms,
                   checked_event& out, rejection& why);

  const config::pipeline_spec& spec_;
  std::shared_ptr<const schema::stream_catalog> catalog_;
  schema::schema_source* registry_;
  check_limits limits_;
  std::unordered_map<std::string, stream_plan, string_hash, std::equal_to<>> plans_;
  stream_plan* last_plan_ = nullptr; ///< the plan of `last_stream_` (map nodes do not move)
  std::string last_stream_;
  std::map<std::pair<std::string, int32_t>, writer_plan> writers_;
  event_fields fields_;
  std::string envelope_scratch_;
};

/// Checks at start that every stream with a schema can be served: its key and event-time fields
/// exist in the schema and have usable types.
[[nodiscard]] status validate_streams(const config::pipeline_spec& spec, const schema::stream_catalog& catalog);

} // namespace freshet::ingest
