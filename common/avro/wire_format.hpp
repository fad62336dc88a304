#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"

namespace freshet::avro {

/// Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the Avro binary payload.
inline constexpr unsigned char confluent_magic = 0;
inline constexpr std::size_t confluent_header_size = 5;

/// A framed record split into its schema id and a view of its payload (into the input).
struct confluent_frame {
  schema_id id;
  std::string_view payload;
};

/// Splits a framed record. Errors: `errc::truncated` (shorter than the 5-byte header),
/// `errc::not_confluent_framed` (first byte is not 0).
[[nodiscard]] result<confluent_frame> parse_confluent(std::string_view bytes);

/// Appends the 5-byte header for `id` to `out`.
void write_confluent_header(std::string& out, schema_id id);

/// Header + payload in one string.
[[nodiscard]] std::string frame_confluent(schema_id id, std::string_view payload);

} // namespace freshet::avro
