#include "common/schema/event_decoder.hpp"

#include <mutex>

#include "common/avro/errc.hpp"
#include "common/avro/wire_format.hpp"
#include "common/event/avro_codec.hpp"
#include "common/event/json_codec.hpp"
#include "common/schema/errc.hpp"

namespace freshet::schema {

event_decoder::event_decoder(schema_source* registry, std::shared_ptr<const stream_catalog> streams)
    : registry_(registry), streams_(streams ? std::move(streams) : std::make_shared<const stream_catalog>()) {}

result<std::shared_ptr<const avro::decoder>> event_decoder::decoder_for(schema_id id, std::string_view stream) const {
  auto key = std::make_pair(id.value(), std::string{stream});
  {
    std::shared_lock guard{mtx_};
    if (auto it = decoders_.find(key); it != decoders_.end())
      return it->second;
  }
  const stream_schema* current = streams_->find(stream);
  std::optional<avro::schema> writer;
  if (id.value() == 0 && !streams_->from_registry()) {
    if (!current)
      return make_schema_error(errc::schema_not_found, "schema id 0 (a local schema) on stream '" +
                                                         std::string{stream} + "', which has no local schema");
    writer = current->schema;
  } else {
    if (!registry_)
      return make_schema_error(errc::schema_not_found, "schema id " + std::to_string(id.value()) +
                                                         ": no schema registry is configured");
    auto s = registry_->by_id(id);
    if (!s)
      return s.err();
    writer = *s;
  }
  std::shared_ptr<const avro::decoder> dec;
  if (current && current->schema.fingerprint() != writer->fingerprint()) {
    auto resolving = avro::decoder::resolving(*writer, current->schema);
    if (resolving)
      dec = std::make_shared<const avro::decoder>(std::move(*resolving));
  }
  if (!dec) // same schema, no current schema, or one the current cannot read: the writer's own view
    dec = std::make_shared<const avro::decoder>(*writer);
  std::unique_lock guard{mtx_};
  return decoders_.try_emplace(std::move(key), dec).first->second;
}

result<event::record> event_decoder::decode(std::string_view value, std::string_view stream) const {
  if (!value.empty() && value.front() == '{')
    return event::decode_json(value);
  auto frame = avro::parse_confluent(value);
  if (!frame)
    return frame.err();
  auto dec = decoder_for(frame->id, stream);
  if (!dec)
    return dec.err();
  return event::decode_avro(**dec, frame->payload);
}

} // namespace freshet::schema
