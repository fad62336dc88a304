#include "services/ingest/payload_check.hpp"

#include <cstring>

#include <nlohmann/json.hpp>

#include "common/avro/compatibility.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/wire_format.hpp"
#include "common/schema/errc.hpp"
#include "services/ingest/reasons.hpp"

namespace freshet::ingest {

namespace {

constexpr std::size_t max_writer_plans = 256;

void reject(rejection& why, std::string reason, std::string message, int32_t schema_id = -1, bool retry = false) {
  why.reason = std::move(reason);
  why.message = std::move(message);
  why.schema_id = schema_id;
  why.retry = retry;
}

void reject_avro(rejection& why, const error& err, int32_t schema_id) {
  auto code = avro::reason_of(err);
  reject(why, code == avro::errc{0} ? "invalid_encoding" : avro::to_string(code), err.message, schema_id);
}

} // namespace

payload_checker::payload_checker(const config::pipeline_spec& spec,
                                 std::shared_ptr<const schema::stream_catalog> catalog,
                                 schema::schema_source* registry, check_limits limits)
    : spec_(spec), catalog_(std::move(catalog)), registry_(registry), limits_(limits) {}

void payload_checker::set_catalog(std::shared_ptr<const schema::stream_catalog> catalog) {
  catalog_ = std::move(catalog);
  plans_.clear();
  last_plan_ = nullptr;
  writers_.clear();
}

payload_checker::stream_plan& payload_checker::plan_for(std::string_view stream) {
  // A batch's events share one stream: compare with the last one before hashing the name.
  if (last_plan_ && stream == last_stream_)
    return *last_plan_;
  if (auto it = plans_.find(stream); it != plans_.end()) {
    last_stream_.assign(stream);
    last_plan_ = &it->second;
    return it->second;
  }
  stream_plan plan;
  plan.spec = spec_.stream(std::string{stream});
  if (!plan.spec) {
    plan.problem_reason = reasons::unknown_stream;
    plan.problem = "no stream named '" + std::string{stream} + "' in pipeline " + spec_.name;
  } else if (!(plan.schema = catalog_->find(stream))) {
    plan.problem_reason = reasons::no_schema;
    plan.problem = "stream '" + std::string{stream} + "' declares no schema";
  } else {
    auto fields = field_locator::make(plan.schema->schema, plan.spec->key_field, plan.spec->event_time_field);
    if (!fields) {
      plan.problem_reason = reasons::no_schema;
      plan.problem = "stream '" + std::string{stream} + "': " + fields.err().message;
    } else {
      plan.fields = std::move(*fields);
      plan.encoder = std::make_unique<avro::json_encoder>(plan.schema->schema);
      plan.strip_event_id = plan.schema->schema.root().field_index("event_id") < 0;
    }
  }
  if (plans_.size() > 1024) // unknown stream names are client input: keep the map bounded
    plans_.clear();
  last_stream_.assign(stream);
  last_plan_ = &plans_.emplace(std::string{stream}, std::move(plan)).first->second;
  return *last_plan_;
}

int32_t payload_checker::schema_id_of(std::string_view stream) {
  auto& plan = plan_for(stream);
  return plan.schema ? plan.schema->id.value() : -1;
}

bool payload_checker::check(std::string_view stream, std::string_view payload, payload_format format,
                            int64_t received_at_ms, checked_event& out, rejection& why) {
  auto& plan = plan_for(stream);
  int32_t id = plan.schema ? plan.schema->id.value() : -1;
  if (plan.problem_reason) {
    reject(why, plan.problem_reason, plan.problem, id);
    return false;
  }
  if (payload.size() > limits_.max_event_bytes) {
    reject(why, reasons::event_too_large,
           "event is " + std::to_string(payload.size()) + " bytes; the limit is " +
             std::to_string(limits_.max_event_bytes),
           format == payload_format::json ? id : -1);
    return false;
  }
  return format == payload_format::json ? check_json(plan, payload, received_at_ms, out, why)
                                        : check_avro(plan, payload, received_at_ms, out, why);
}

bool payload_checker::take_fields(const stream_plan& plan, const field_locator& fields, std::string_view avro,
                                  int64_t received_at_ms, checked_event& out, rejection& why) {
  if (!fields.read(avro, fields_)) {
    reject(why, "invalid_encoding", "the Avro data ends before its key or event-time field", out.schema_id);
    return false;
  }
  if (fields_.has_key && fields_.key_null) {
    reject(why, reasons::missing_key, "key field '" + plan.spec->key_field + "' is null", out.schema_id);
    return false;
  }
  if (fields_.event_time_ms && *fields_.event_time_ms < 0) {
    reject(why, "bad_timestamp",
           "bad_timestamp: field '" + plan.spec->event_time_field + "' is before 1970 (" +
             std::to_string(*fields_.event_time_ms) + " ms)",
           out.schema_id);
    return false;
  }
  out.key.swap(fields_.key);
  out.event_time_ms = fields_.event_time_ms.value_or(received_at_ms);
  out.payload_event_id.swap(fields_.event_id);
  if (out.payload_event_id.size() > limits_.max_event_id_bytes) {
    reject(why, reasons::bad_event_id,
           "event_id is " + std::to_string(out.payload_event_id.size()) + " bytes; the limit is " +
             std::to_string(limits_.max_event_id_bytes),
           out.schema_id);
    return false;
  }
  return true;
}

bool payload_checker::check_json(stream_plan& plan, std::string_view payload, int64_t received_at_ms,
                                 checked_event& out, rejection& why) {
  out.schema_id = plan.schema->id.value();
  std::string envelope_id;
  std::string_view text = payload;
  out.value.clear();
  // Most events carry no envelope id: they are encoded at once, and only a payload the strict
  // encoder refuses is searched for one (the search alone costs as much as a fifth of the encoding).
  auto encoded = plan.encoder->encode_framed(plan.schema->id, text, out.value);
  // An "event_id" member the schema does not declare belongs to the envelope: take it out, so that
  // curl users can name their events without the schema having to carry the id. Such a member
  // always makes the strict encoder fail (unknown field), so nothing that encoded can carry one.
  if (!encoded.ok() && plan.strip_event_id && memmem(payload.data(), payload.size(), "\"event_id\"", 10)) {
    auto doc = nlohmann::json::parse(payload, nullptr, false);
    if (doc.is_discarded()) {
      // Not JSON. The strict encoder would stop at the "event_id" member (unknown_field); one that
      // skips unknown members finds the real fault, with its position.
      if (!plan.lenient)
        plan.lenient = std::make_unique<avro::json_encoder>(
          plan.schema->schema, avro::encode_options{.unknown_fields = avro::unknown_field_policy::ignore});
      envelope_scratch_.clear();
      if (auto st = plan.lenient->encode(payload, envelope_scratch_); !st.ok()) {
        reject_avro(why, st.err(), out.schema_id);
        return false;
      }
    }
    if (doc.is_object()) {
      if (auto it = doc.find("event_id"); it != doc.end()) {
        if (!it->is_string() && !it->is_null()) {
          reject(why, reasons::bad_event_id, "event_id must be a string", out.schema_id);
          return false;
        }
        if (it->is_string())
          envelope_id = it->get<std::string>();
        doc.erase(it);
        envelope_scratch_ = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        text = envelope_scratch_;
      }
    } // not JSON: the encoder says so, with its position
    out.value.clear();
    encoded = plan.encoder->encode_framed(plan.schema->id, text, out.value);
  }
  if (!encoded.ok()) {
    reject_avro(why, encoded.err(), out.schema_id);
    // A value of the wrong kind in the event-time field (a date string, a boolean) is a bad
    // timestamp to the client: say so, rather than the generic wrong_type.
    if (why.reason == "wrong_type" && !plan.spec->event_time_field.empty() &&
        why.message.ends_with(" at $." + plan.spec->event_time_field)) {
      why.reason = "bad_timestamp";
      why.message = "bad_timestamp: field '" + plan.spec->event_time_field +
                    "' must be epoch milliseconds (" + why.message + ")";
    }
    return false;
  }
  std::string_view avro{out.value.data() + avro::confluent_header_size, out.value.size() - avro::confluent_header_size};
  if (!take_fields(plan, *plan.fields, avro, received_at_ms, out, why))
    return false;
  if (!envelope_id.empty()) {
    if (envelope_id.size() > limits_.max_event_id_bytes) {
      reject(why, reasons::bad_event_id,
             "event_id is " + std::to_string(envelope_id.size()) + " bytes; the limit is " +
               std::to_string(limits_.max_event_id_bytes),
             out.schema_id);
      return false;
    }
    out.payload_event_id = std::move(envelope_id);
  }
  return true;
}

const payload_checker::writer_plan* payload_checker::writer_plan_for(stream_plan& plan, int32_t id, rejection& why) {
  auto key = std::make_pair(plan.spec->name, id);
  if (auto it = writers_.find(key); it != writers_.end())
    return &it->second;
  auto transient = [&](const error& e) {
    reject(why, reasons::registry_unavailable, "cannot look schema id " + std::to_string(id) + " up: " + e.message, id,
           true);
    return nullptr;
  };
  auto writer = registry_->by_id(schema_id{id});
  if (!writer) {
    if (writer.err().retriable)
      return transient(writer.err());
    reject(why, reasons::unknown_schema_id, "schema id " + std::to_string(id) + ": " + writer.err().message, id);
    return nullptr;
  }
  auto member = registry_->in_subject(plan.schema->subject, schema_id{id});
  if (!member) {
    if (member.err().retriable)
      return transient(member.err());
    reject(why, reasons::schema_mismatch, member.err().message, id);
    return nullptr;
  }
  writer_plan wp;
  if (*member) {
    wp.dec = std::make_shared<const avro::decoder>(*writer);
  } else {
    auto issues = avro::check_can_read(plan.schema->schema, *writer);
    if (!issues.empty()) {
      reject(why, reasons::schema_mismatch,
             "schema id " + std::to_string(id) + " is not a version of " + plan.schema->subject +
               " and the stream's schema cannot read it: " + issues.front().message + " at " + issues.front().path,
             id);
      return nullptr;
    }
    auto dec = avro::decoder::resolving(*writer, plan.schema->schema);
    if (!dec) {
      reject(why, reasons::schema_mismatch, dec.err().message, id);
      return nullptr;
    }
    wp.dec = std::make_shared<const avro::decoder>(std::move(*dec));
    wp.resolving = true;
  }
  auto fields = field_locator::make(*writer, plan.spec->key_field, plan.spec->event_time_field);
  if (!fields) {
    reject(why, reasons::schema_mismatch, "schema id " + std::to_string(id) + ": " + fields.err().message, id);
    return nullptr;
  }
  wp.fields = std::move(*fields);
  if (writers_.size() >= max_writer_plans)
    writers_.clear();
  return &writers_.emplace(std::move(key), std::move(wp)).first->second;
}

bool payload_checker::check_avro(stream_plan& plan, std::string_view payload, int64_t received_at_ms,
                                 checked_event& out, rejection& why) {
  if (!registry_ || !catalog_->from_registry()) {
    reject(why, reasons::avro_not_accepted,
           "Avro payloads need the schema registry, and this ingest runs without one (registry.url is empty)");
    return false;
  }
  auto frame = avro::parse_confluent(payload);
  if (!frame) {
    reject_avro(why, frame.err(), -1);
    return false;
  }
  int32_t id = frame->id.value();
  const writer_plan* wp = writer_plan_for(plan, id, why);
  if (!wp)
    return false;
  status valid = wp->resolving ? status{} : wp->dec->check(frame->payload);
  if (wp->resolving) {
    auto decoded = wp->dec->decode(frame->payload);
    if (!decoded)
      valid = decoded.err();
  }
  if (!valid.ok()) {
    reject_avro(why, valid.err(), id);
    return false;
  }
  out.schema_id = id;
  if (!take_fields(plan, *wp->fields, frame->payload, received_at_ms, out, why))
    return false;
  out.value.assign(payload);
  return true;
}

status validate_streams(const config::pipeline_spec& spec, const schema::stream_catalog& catalog) {
  for (const auto& st : spec.streams) {
    const auto* s = catalog.find(st.name);
    if (!s)
      continue;
    auto fields = field_locator::make(s->schema, st.key_field, st.event_time_field);
    if (!fields)
      return make_error(error_domain::config, 1, "stream " + st.name + ": " + fields.err().message);
  }
  return {};
}

} // namespace freshet::ingest
