#pragma once

#include <string>
#include <string_view>

#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/schema.hpp"
#include "common/avro/value.hpp"
#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"
#include "common/event/record.hpp"

namespace freshet::event {

/// Avro <-> `record`, so that stages see the same record whether an event arrived as JSON or Avro.
///
/// Mapping (the same shape `decode_json` gives a JSON object):
/// - nested records flatten to dotted paths ("geo.country"); a null nested record is its own path = null;
/// - unions are their branch's value; enums are their symbol; bytes and fixed are raw bytes in a string;
/// - int and long are int64, float and double are double (timestamp-millis stays the int64 millis);
/// - arrays and maps are kept as Avro JSON text (unions wrapped, so the text reads back losslessly).
/// Only record schemas describe events: any other top-level type is `avro::errc::wrong_type`.

/// Decodes one Avro datum (no framing) with `dec` (writer -> reader resolution included).
/// Errors carry `avro::errc` reasons (`avro::reason_of`).
[[nodiscard]] result<record> decode_avro(const avro::decoder& dec, std::string_view avro);

/// A decoded record datum as a `record`.
[[nodiscard]] result<record> to_record(const avro::value& datum);

/// Encodes records as Avro binary of one schema: each field of the schema is taken from the record
/// path of the same name (nested records from dotted paths), absent ones from the field default;
/// record paths the schema does not declare are left out. A value that does not fit its field is an
/// error with the `avro::errc` reason the JSON encoder would give (`wrong_type`, `null_not_allowed`,
/// `missing_field`, `unknown_enum_symbol`, `number_out_of_range`, `invalid_utf8`, ...).
///
/// Threading: keeps scratch buffers; use one per thread.
class avro_encoder {
 public:
  explicit avro_encoder(avro::schema s);

  /// Appends the Avro binary of `r` to `out`; on error `out` is unchanged.
  [[nodiscard]] status encode(const record& r, std::string& out);
  /// Appends the Confluent frame (magic 0, big-endian `id`) and the Avro binary.
  [[nodiscard]] status encode_framed(schema_id id, const record& r, std::string& out);

  [[nodiscard]] const avro::schema& encoding_schema() const { return schema_; }

 private:
  avro::schema schema_;
  avro::json_encoder json_;
  std::string text_;
};

} // namespace freshet::event
