#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/avro/compatibility.hpp"
#include "common/base/result.hpp"

namespace freshet::registry {

/// A globally unique schema id (Confluent's: the 4 bytes after the magic byte on the wire).
enum class schema_id : int32_t {};

[[nodiscard]] constexpr int32_t to_int(schema_id id) {
  return static_cast<int32_t>(id);
}

/// A subject version as stored: the value of a `SCHEMA` record.
struct schema_value {
  std::string subject;
  int32_t version = 0;
  schema_id id{0};
  std::string schema;             ///< the schema text
  std::string schema_type = "AVRO";
  bool deleted = false;           ///< soft-deleted
};

/// `{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}`: a subject version; a tombstone
/// (no value) deletes it permanently.
struct schema_record {
  std::string subject;
  int32_t version = 0;
  std::optional<schema_value> value;
};

/// `{"keytype":"CONFIG","subject":s|null,"magic":0}`: a compatibility level, global when
/// `subject` is empty; a tombstone (no level) removes it.
struct config_record {
  std::optional<std::string> subject;
  std::optional<avro::compat_level> level;
};

/// Confluent's `DELETE_SUBJECT` (versions up to `version` soft-deleted). Read, never written:
/// Freshet soft-deletes by rewriting each `SCHEMA` record, which survives compaction on its own.
struct delete_subject_record {
  std::string subject;
  int32_t version = 0;
};

/// Confluent's `CLEAR_SUBJECT` (the soft-deleted versions are gone). Read, never written.
struct clear_subject_record {
  std::string subject;
};

/// Freshet's `ID_WATERMARK`: ids below `next_id` were handed out. Written with every permanent
/// deletion so that compaction removing the highest id cannot make a restarted registry reuse it.
struct id_watermark_record {
  int32_t next_id = 1;
};

/// `{"keytype":"NOOP","magic":0}`: carries no state; appended to learn where the log ends (a
/// replica has read everything before its own NOOP once it reads the NOOP back).
struct noop_record {
  std::string writer;
};

using store_record = std::variant<schema_record, config_record, delete_subject_record, clear_subject_record,
                                  id_watermark_record, noop_record>;

/// A record as Kafka bytes; no value = tombstone.
struct encoded_record {
  std::string key;
  std::optional<std::string> value;
};

[[nodiscard]] encoded_record encode(const store_record& rec);

/// Decodes a `_schemas` record. Unknown key types (Confluent's MODE, ...) decode as a `noop_record`.
/// Malformed keys or values are `errc::store_error`.
[[nodiscard]] result<store_record> decode(std::string_view key, const std::optional<std::string>& value);

} // namespace freshet::registry

template <>
struct std::hash<freshet::registry::schema_id> {
  size_t operator()(freshet::registry::schema_id id) const noexcept { return std::hash<int32_t>{}(to_int(id)); }
};
