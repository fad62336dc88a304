#include "tests/unit/schema/registry_stub.hpp"

#include <nlohmann/json.hpp>

#include "common/avro/compatibility.hpp"
#include "common/avro/schema.hpp"
#include "tests/support/stack.hpp"

namespace freshet::testing {

namespace {

using json = nlohmann::json;

http::response answer(int status, const json& body) {
  http::response r;
  r.status = status;
  r.content_type = "application/vnd.schemaregistry.v1+json";
  r.body = body.dump();
  return r;
}

http::response error(int status, int code, const std::string& message) {
  return answer(status, json{{"error_code", code}, {"message", message}});
}

} // namespace

registry_stub::registry_stub() {
  start();
}

registry_stub::~registry_stub() {
  stop();
}

void registry_stub::start() {
  if (server_)
    return;
  if (port_ == 0)
    port_ = free_ports(1)[0];
  server_ = std::make_unique<http::server>("127.0.0.1:" + std::to_string(port_), 4);
  server_->route("POST", "/subjects/*", [this](const http::request& req) {
    return handle(req.path.ends_with("/versions") ? "register" : "lookup", req);
  });
  server_->route("GET", "/subjects/*", [this](const http::request& req) { return handle("latest", req); });
  server_->route("GET", "/schemas/ids/*", [this](const http::request& req) { return handle("by_id", req); });
  auto st = server_->start();
  if (!st.ok())
    throw std::runtime_error("registry stub: " + st.err().message);
}

void registry_stub::stop() {
  if (server_) {
    server_->stop();
    server_.reset();
  }
}

int registry_stub::calls(const std::string& route) const {
  std::lock_guard guard{mtx_};
  auto it = calls_.find(route);
  return it == calls_.end() ? 0 : it->second;
}

int registry_stub::add(const std::string& subject, const std::string& schema_text) {
  auto r = register_version(subject, schema_text);
  return json::parse(r.body).value("id", -1);
}

http::response registry_stub::register_version(const std::string& subject, const std::string& text) {
  auto parsed = avro::schema::parse(text);
  if (!parsed)
    return error(422, 42201, "Invalid schema: " + parsed.err().message);
  std::lock_guard guard{mtx_};
  auto fp = parsed->fingerprint();
  auto& versions = subjects_[subject];
  for (int id : versions)
    if (schemas_[static_cast<size_t>(id - 1)].fingerprint == fp)
      return answer(200, json{{"id", id}});
  if (!versions.empty()) {
    auto latest = avro::schema::parse(schemas_[static_cast<size_t>(versions.back() - 1)].text);
    auto issues = avro::check_can_read(*parsed, *latest);
    if (!issues.empty())
      return error(409, 409, "Schema being registered is incompatible with an earlier schema: " + issues[0].message);
  }
  int id = 0;
  for (const auto& s : schemas_)
    if (s.fingerprint == fp)
      id = s.id;
  if (id == 0) {
    id = static_cast<int>(schemas_.size()) + 1;
    schemas_.push_back({id, text, fp});
  }
  versions.push_back(id);
  return answer(200, json{{"id", id}});
}

http::response registry_stub::handle(const std::string& route, const http::request& req) {
  {
    std::lock_guard guard{mtx_};
    ++calls_[route];
  }
  if (fail_next_.load() > 0) {
    fail_next_.fetch_sub(1);
    return error(500, 50001, "stub told to fail");
  }
  if (route == "by_id") {
    int id = std::atoi(req.path.substr(std::string{"/schemas/ids/"}.size()).c_str());
    std::lock_guard guard{mtx_};
    if (id < 1 || static_cast<size_t>(id) > schemas_.size())
      return error(404, 40403, "Schema " + std::to_string(id) + " not found");
    return answer(200, json{{"schema", schemas_[static_cast<size_t>(id - 1)].text}});
  }
  auto rest = req.path.substr(std::string{"/subjects/"}.size());
  auto subject = rest.substr(0, rest.find('/'));
  if (route == "register" || route == "lookup") {
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("schema") || !body["schema"].is_string())
      return error(422, 42201, "Invalid schema: the body needs a \"schema\" string");
    auto text = body["schema"].get<std::string>();
    if (route == "register")
      return register_version(subject, text);
    auto parsed = avro::schema::parse(text);
    if (!parsed)
      return error(422, 42201, "Invalid schema");
    std::lock_guard guard{mtx_};
    auto it = subjects_.find(subject);
    if (it == subjects_.end())
      return error(404, 40401, "Subject '" + subject + "' not found.");
    for (size_t v = 0; v < it->second.size(); ++v) {
      const auto& s = schemas_[static_cast<size_t>(it->second[v] - 1)];
      if (s.fingerprint == parsed->fingerprint())
        return answer(200, json{{"subject", subject}, {"id", s.id}, {"version", v + 1}, {"schema", s.text}});
    }
    return error(404, 40403, "Schema not found");
  }
  // latest
  std::lock_guard guard{mtx_};
  auto it = subjects_.find(subject);
  if (it == subjects_.end() || it->second.empty())
    return error(404, 40401, "Subject '" + subject + "' not found.");
  const auto& s = schemas_[static_cast<size_t>(it->second.back() - 1)];
  return answer(200, json{{"subject", subject}, {"id", s.id}, {"version", it->second.size()}, {"schema", s.text}});
}

} // namespace freshet::testing
