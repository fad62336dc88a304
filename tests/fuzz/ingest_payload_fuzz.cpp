// libFuzzer target: ingest's whole per-event check (payload_checker) and its HTTP body splitter.
// Byte 0: bits 0-1 pick the stream (page_view, add_to_cart, purchase, an unknown one), bit 2 the
// format (JSON / Confluent-framed Avro), bit 3 the schema source (local .avsc with id 0 / a
// registry-like source with several ids, one of them another subject's), bit 4 the body splitter
// instead. The rest is the payload.
//
// Invariants: every event is either taken or refused with a non-empty reason and message; what is
// taken is framed Avro whose id the source knows and which decodes with that schema; Avro input
// is taken byte for byte; the splitter's events are pieces of the body, in order.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/avro/decoder.hpp"
#include "common/avro/wire_format.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/schema/errc.hpp"
#include "common/schema/stream_catalog.hpp"
#include "services/ingest/body_split.hpp"
#include "services/ingest/payload_check.hpp"

namespace {

using namespace freshet;

const char* other_subject_schema = R"({"type":"record","name":"PageView","namespace":"freshet.examples.clickstream",
  "fields":[{"name":"url","type":"string"},{"name":"user_id","type":"string"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"n","type":["null","int"],"default":null}]})";

/// Ids 1-3: the three streams' subjects; 4: another subject's schema page_view can read.
class fixed_source final : public schema::schema_source {
 public:
  std::map<int32_t, std::pair<std::string, avro::schema>> ids;
  result<avro::schema> by_id(schema_id id) override {
    auto it = ids.find(id.value());
    if (it == ids.end())
      return schema::make_schema_error(schema::errc::schema_not_found, "no such id");
    return it->second.second;
  }
  result<bool> in_subject(const std::string& subject, schema_id id) override {
    auto it = ids.find(id.value());
    return it != ids.end() && it->second.first == subject;
  }
};

struct world {
  config::pipeline_spec spec;
  fixed_source source;
  std::unique_ptr<ingest::payload_checker> local;
  std::unique_ptr<ingest::payload_checker> registered;
  std::map<int32_t, std::unique_ptr<avro::decoder>> decoders;
  std::map<std::string, std::unique_ptr<avro::decoder>, std::less<>> local_decoders;
};

world& the_world() {
  static world* w = [] {
    auto* w = new world;
    auto spec = config::load_pipeline_spec(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/pipeline.yaml");
    if (!spec.ok())
      __builtin_trap();
    w->spec = *spec;
    auto local = schema::local_catalog(w->spec);
    if (!local.ok())
      __builtin_trap();
    std::vector<schema::stream_schema> streams;
    int32_t id = 1;
    for (const auto& s : local->streams()) {
      streams.push_back({s.stream, s.subject, schema_id{id}, 1, s.schema});
      w->source.ids.emplace(id, std::make_pair(s.subject, s.schema));
      w->decoders[id] = std::make_unique<avro::decoder>(s.schema);
      w->local_decoders[s.stream] = std::make_unique<avro::decoder>(s.schema);
      ++id;
    }
    auto other = avro::schema::parse(other_subject_schema);
    w->source.ids.emplace(4, std::make_pair(std::string{"other-value"}, *other));
    w->decoders[4] = std::make_unique<avro::decoder>(*other);
    ingest::check_limits limits{.max_event_bytes = 4096, .max_event_id_bytes = 64};
    w->local = std::make_unique<ingest::payload_checker>(
      w->spec, std::make_shared<const schema::stream_catalog>(std::move(*local)), nullptr, limits);
    w->registered = std::make_unique<ingest::payload_checker>(
      w->spec, std::make_shared<const schema::stream_catalog>(std::move(streams), true), &w->source, limits);
    return w;
  }();
  return *w;
}

void check_split(std::string_view body) {
  auto events = ingest::split_events(body);
  std::size_t pos = 0;
  for (const auto& e : events) {
    auto at = body.find(e, pos);
    if (at == std::string_view::npos)
      __builtin_trap();
    pos = at + e.size();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::string_view payload{reinterpret_cast<const char*>(data + 1), size - 1};
  if (data[0] & 0x10) {
    check_split(payload);
    return 0;
  }
  static const char* streams[] = {"page_view", "add_to_cart", "purchase", "nope"};
  auto& w = the_world();
  const char* stream = streams[data[0] & 3];
  auto format = (data[0] & 4) ? ingest::payload_format::avro : ingest::payload_format::json;
  bool registry = data[0] & 8;
  auto& checker = registry ? *w.registered : *w.local;
  ingest::checked_event out;
  ingest::rejection why;
  bool ok = checker.check(stream, payload, format, 1'700'000'000'000, out, why);
  if (!ok) {
    if (why.reason.empty() || why.message.empty())
      __builtin_trap();
    return 0;
  }
  auto frame = avro::parse_confluent(out.value);
  if (!frame.ok() || frame->id.value() != out.schema_id)
    __builtin_trap();
  if (format == ingest::payload_format::avro && out.value != payload)
    __builtin_trap(); // Avro input is produced byte for byte
  if (!registry) {
    auto local = w.local_decoders.find(std::string_view{stream});
    if (out.schema_id != 0 || local == w.local_decoders.end() || !local->second->check(frame->payload).ok())
      __builtin_trap();
    return 0;
  }
  auto it = w.decoders.find(out.schema_id);
  if (it == w.decoders.end() || !it->second || !it->second->check(frame->payload).ok())
    __builtin_trap(); // what is taken decodes with the schema its id names
  return 0;
}
