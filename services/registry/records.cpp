#include "services/registry/records.hpp"

#include <nlohmann/json.hpp>

#include "services/registry/errc.hpp"

namespace freshet::registry {

namespace {

using ojson = nlohmann::ordered_json;

struct encoder {
  encoded_record operator()(const schema_record& r) const {
    ojson key{{"keytype", "SCHEMA"}, {"subject", r.subject}, {"version", r.version}, {"magic", 1}};
    encoded_record out{key.dump(), std::nullopt};
    if (r.value) {
      ojson v{{"subject", r.value->subject}, {"version", r.value->version}, {"id", to_int(r.value->id)},
              {"schema", r.value->schema}, {"deleted", r.value->deleted}};
      if (r.value->schema_type != "AVRO")
        v["schemaType"] = r.value->schema_type;
      out.value = v.dump();
    }
    return out;
  }
  encoded_record operator()(const config_record& r) const {
    ojson key{{"keytype", "CONFIG"}, {"subject", nullptr}, {"magic", 0}};
    if (r.subject)
      key["subject"] = *r.subject;
    encoded_record out{key.dump(), std::nullopt};
    if (r.level)
      out.value = ojson{{"compatibilityLevel", avro::to_string(*r.level)}}.dump();
    return out;
  }
  encoded_record operator()(const delete_subject_record& r) const {
    return {ojson{{"keytype", "DELETE_SUBJECT"}, {"subject", r.subject}, {"magic", 0}}.dump(),
            ojson{{"subject", r.subject}, {"version", r.version}}.dump()};
  }
  encoded_record operator()(const clear_subject_record& r) const {
    return {ojson{{"keytype", "CLEAR_SUBJECT"}, {"subject", r.subject}, {"magic", 0}}.dump(),
            ojson{{"subject", r.subject}}.dump()};
  }
  encoded_record operator()(const id_watermark_record& r) const {
    return {ojson{{"keytype", "ID_WATERMARK"}, {"magic", 0}}.dump(), ojson{{"next_id", r.next_id}}.dump()};
  }
  encoded_record operator()(const noop_record& r) const {
    return {ojson{{"keytype", "NOOP"}, {"magic", 0}}.dump(), ojson{{"writer", r.writer}}.dump()};
  }
};

error bad(const std::string& what, std::string_view key) {
  return make_error(errc::store_error, "malformed _schemas record (" + what + "): " + std::string{key.substr(0, 200)});
}

std::string subject_of(const nlohmann::json& k) {
  auto it = k.find("subject");
  return it != k.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

result<store_record> decode_schema(const nlohmann::json& k, const std::optional<std::string>& value,
                                   std::string_view raw_key) {
  schema_record r;
  r.subject = subject_of(k);
  if (!k.contains("version") || !k["version"].is_number_integer() || r.subject.empty())
    return bad("SCHEMA key without subject or version", raw_key);
  r.version = k["version"].get<int32_t>();
  if (!value)
    return store_record{std::move(r)};
  auto v = nlohmann::json::parse(*value, nullptr, false);
  if (!v.is_object() || !v.contains("id") || !v["id"].is_number_integer() || !v.contains("schema") ||
      !v["schema"].is_string())
    return bad("SCHEMA value without id or schema", raw_key);
  schema_value sv;
  sv.subject = r.subject;
  sv.version = r.version;
  sv.id = schema_id{v["id"].get<int32_t>()};
  sv.schema = v["schema"].get<std::string>();
  if (auto t = v.find("schemaType"); t != v.end() && t->is_string())
    sv.schema_type = t->get<std::string>();
  if (auto d = v.find("deleted"); d != v.end() && d->is_boolean())
    sv.deleted = d->get<bool>();
  r.value = std::move(sv);
  return store_record{std::move(r)};
}

result<store_record> decode_config(const nlohmann::json& k, const std::optional<std::string>& value,
                                   std::string_view raw_key) {
  config_record r;
  if (auto s = k.find("subject"); s != k.end() && s->is_string())
    r.subject = s->get<std::string>();
  if (!value)
    return store_record{std::move(r)};
  auto v = nlohmann::json::parse(*value, nullptr, false);
  if (!v.is_object())
    return bad("CONFIG value is not an object", raw_key);
  auto l = v.find("compatibilityLevel");
  if (l == v.end())
    l = v.find("compatibility");
  if (l == v.end() || !l->is_string())
    return store_record{std::move(r)}; // other settings only (e.g. metadata): no level
  r.level = avro::parse_compat_level(l->get<std::string>());
  if (!r.level)
    return bad("unknown compatibility level", raw_key);
  return store_record{std::move(r)};
}

} // namespace

encoded_record encode(const store_record& rec) {
  return std::visit(encoder{}, rec);
}

result<store_record> decode(std::string_view key, const std::optional<std::string>& value) {
  auto k = nlohmann::json::parse(key, nullptr, false);
  if (!k.is_object() || !k.contains("keytype") || !k["keytype"].is_string())
    return bad("key is not a keytype object", key);
  const auto type = k["keytype"].get<std::string>();
  if (type == "SCHEMA")
    return decode_schema(k, value, key);
  if (type == "CONFIG")
    return decode_config(k, value, key);
  if (type == "DELETE_SUBJECT" || type == "CLEAR_SUBJECT") {
    auto subject = subject_of(k);
    if (subject.empty())
      return bad(type + " without subject", key);
    if (type == "CLEAR_SUBJECT")
      return store_record{clear_subject_record{subject}};
    if (!value)
      return store_record{noop_record{}};
    auto v = nlohmann::json::parse(*value, nullptr, false);
    if (!v.is_object() || !v.contains("version") || !v["version"].is_number_integer())
      return bad("DELETE_SUBJECT value without version", key);
    return store_record{delete_subject_record{subject, v["version"].get<int32_t>()}};
  }
  if (type == "ID_WATERMARK") {
    if (!value)
      return store_record{noop_record{}};
    auto v = nlohmann::json::parse(*value, nullptr, false);
    if (!v.is_object() || !v.contains("next_id") || !v["next_id"].is_number_integer())
      return bad("ID_WATERMARK value without next_id", key);
    return store_record{id_watermark_record{v["next_id"].get<int32_t>()}};
  }
  noop_record n;
  if (value) {
    auto v = nlohmann::json::parse(*value, nullptr, false);
    if (v.is_object() && v.contains("writer") && v["writer"].is_string())
      n.writer = v["writer"].get<std::string>();
  }
  return store_record{std::move(n)};
}

} // namespace freshet::registry
