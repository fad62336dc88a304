#include "common/event/json_codec.hpp"

#include <nlohmann/json.hpp>

namespace freshet::event {

namespace {

void flatten(const nlohmann::json& obj, const std::string& prefix, record& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    auto path = prefix.empty() ? it.key() : prefix + "." + it.key();
    const auto& v = it.value();
    if (v.is_object())
      flatten(v, path, out);
    else if (v.is_null())
      out.set(path, std::monostate{});
    else if (v.is_boolean())
      out.set(path, v.get<bool>());
    else if (v.is_number_integer())
      out.set(path, v.get<int64_t>());
    else if (v.is_number())
      out.set(path, v.get<double>());
    else if (v.is_string())
      out.set(path, v.get<std::string>());
    else
      out.set(path, v.dump());
  }
}

nlohmann::json to_json(const value& v) {
  struct visitor {
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(int64_t i) const { return i; }
    nlohmann::json operator()(double d) const { return d; }
    nlohmann::json operator()(const std::string& s) const { return s; }
  };
  return std::visit(visitor{}, v);
}

} // namespace

result<record> decode_json(std::string_view payload) {
  auto doc = nlohmann::json::parse(payload, nullptr, false);
  if (doc.is_discarded())
    return make_error(error_domain::decode, 1, "payload is not valid JSON");
  if (!doc.is_object())
    return make_error(error_domain::decode, 2, "payload must be a JSON object");
  record r;
  flatten(doc, "", r);
  return r;
}

std::string encode_json(const record& r) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [path, v] : r.fields()) {
    nlohmann::json* node = &out;
    size_t start = 0;
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
      node = &(*node)[path.substr(start, dot - start)];
      start = dot + 1;
    }
    (*node)[path.substr(start)] = to_json(v);
  }
  return out.dump();
}

} // namespace freshet::event
