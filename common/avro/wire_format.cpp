#include "common/avro/wire_format.hpp"

#include "common/avro/errc.hpp"

namespace freshet::avro {

result<confluent_frame> parse_confluent(std::string_view bytes) {
  if (bytes.empty())
    return make_avro_error(errc::truncated, "empty record: no Confluent header");
  if (static_cast<unsigned char>(bytes[0]) != confluent_magic)
    return make_avro_error(errc::not_confluent_framed,
                           "first byte is " + std::to_string(static_cast<unsigned char>(bytes[0])) +
                               ", the Confluent magic byte is 0");
  if (bytes.size() < confluent_header_size)
    return make_avro_error(errc::truncated, "record of " + std::to_string(bytes.size()) +
                                                " bytes is shorter than the 5-byte Confluent header");
  auto b = [&](std::size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])); };
  uint32_t id = (b(1) << 24) | (b(2) << 16) | (b(3) << 8) | b(4);
  return confluent_frame{schema_id{static_cast<int32_t>(id)}, bytes.substr(confluent_header_size)};
}

void write_confluent_header(std::string& out, schema_id id) {
  auto v = static_cast<uint32_t>(id.value());
  char h[5] = {static_cast<char>(confluent_magic), static_cast<char>(v >> 24), static_cast<char>(v >> 16),
               static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(h, 5);
}

std::string frame_confluent(schema_id id, std::string_view payload) {
  std::string out;
  out.reserve(confluent_header_size + payload.size());
  write_confluent_header(out, id);
  out.append(payload);
  return out;
}

} // namespace freshet::avro
