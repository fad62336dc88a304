#include "services/registry/schema_text.hpp"

#include <nlohmann/json.hpp>

#include "services/registry/errc.hpp"

namespace freshet::registry {

namespace {

bool is_primitive(const nlohmann::json& j) {
  if (!j.is_string())
    return false;
  const auto& s = j.get_ref<const std::string&>();
  return s == "null" || s == "boolean" || s == "int" || s == "long" || s == "float" || s == "double" ||
         s == "bytes" || s == "string";
}

/// Rewrites schema positions only (type, fields, items, values, union branches): defaults and
/// custom properties are data and stay as written (their member order is normalised by `json`).
nlohmann::json normalize_type(const nlohmann::json& j);

nlohmann::json normalize_object(const nlohmann::json& j) {
  if (j.size() == 1 && j.contains("type") && is_primitive(j["type"]))
    return j["type"];
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : j.items()) {
    if (k == "type" || k == "items" || k == "values") {
      out[k] = normalize_type(v);
    } else if (k == "fields" && v.is_array()) {
      auto fields = nlohmann::json::array();
      for (const auto& f : v) {
        if (!f.is_object()) {
          fields.push_back(f);
          continue;
        }
        nlohmann::json nf = nlohmann::json::object();
        for (const auto& [fk, fv] : f.items())
          nf[fk] = fk == "type" ? normalize_type(fv) : fv;
        fields.push_back(std::move(nf));
      }
      out[k] = std::move(fields);
    } else {
      out[k] = v;
    }
  }
  return out;
}

nlohmann::json normalize_type(const nlohmann::json& j) {
  if (j.is_object())
    return normalize_object(j);
  if (j.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& b : j)
      out.push_back(normalize_type(b));
    return out;
  }
  return j;
}

} // namespace

result<parsed_schema> parse_schema(std::string_view text) {
  auto ordered = nlohmann::ordered_json::parse(text, nullptr, false);
  if (ordered.is_discarded())
    return make_error(errc::invalid_schema, "Invalid schema: not JSON: " + std::string{text.substr(0, 200)});
  auto compact = ordered.dump();
  auto parsed = avro::schema::parse(compact);
  if (!parsed)
    return make_error(errc::invalid_schema, "Invalid schema " + compact.substr(0, 500) + ": " + parsed.err().message);
  auto plain = nlohmann::json::parse(compact);
  return parsed_schema{std::move(*parsed), std::move(compact), normalize_type(plain).dump()};
}

} // namespace freshet::registry
