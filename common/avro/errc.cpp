#include "common/avro/errc.hpp"

namespace freshet::avro {

const char* to_string(errc e) {
  switch (e) {
    case errc::schema_syntax: return "schema_syntax";
    case errc::schema_invalid_name: return "schema_invalid_name";
    case errc::schema_duplicate_name: return "schema_duplicate_name";
    case errc::schema_unknown_type: return "schema_unknown_type";
    case errc::schema_bad_default: return "schema_bad_default";
    case errc::schema_duplicate_field: return "schema_duplicate_field";
    case errc::schema_duplicate_symbol: return "schema_duplicate_symbol";
    case errc::schema_bad_union: return "schema_bad_union";
    case errc::schema_missing_attribute: return "schema_missing_attribute";
    case errc::schema_bad_attribute: return "schema_bad_attribute";
    case errc::malformed_json: return "malformed_json";
    case errc::wrong_type: return "wrong_type";
    case errc::missing_field: return "missing_field";
    case errc::null_not_allowed: return "null_not_allowed";
    case errc::unknown_enum_symbol: return "unknown_enum_symbol";
    case errc::number_out_of_range: return "number_out_of_range";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::unknown_field: return "unknown_field";
    case errc::bad_timestamp: return "bad_timestamp";
    case errc::too_deep: return "too_deep";
    case errc::not_confluent_framed: return "not_confluent_framed";
    case errc::truncated: return "truncated";
    case errc::bad_varint: return "bad_varint";
    case errc::negative_length: return "negative_length";
    case errc::length_too_large: return "length_too_large";
    case errc::bad_union_index: return "bad_union_index";
    case errc::bad_enum_index: return "bad_enum_index";
    case errc::trailing_bytes: return "trailing_bytes";
    case errc::unresolvable: return "unresolvable";
    case errc::incompatible_schemas: return "incompatible_schemas";
    case errc::invalid_encoding: return "invalid_encoding";
  }
  return "unknown";
}

error make_avro_error(errc e, std::string_view message) {
  std::string msg = to_string(e);
  msg += ": ";
  msg += message;
  return make_error(error_domain::decode, static_cast<int>(e), std::move(msg));
}

errc reason_of(const error& err) {
  if (err.domain != error_domain::decode)
    return errc{0};
  return static_cast<errc>(err.code);
}

} // namespace freshet::avro
