#include "common/config/pipeline_spec.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace freshet::config {

namespace {

error spec_error(std::string msg) {
  return make_error(error_domain::config, 2, "pipeline spec: " + std::move(msg));
}

template <class T>
T field_or(const YAML::Node& n, const char* key, T fallback) {
  return n[key] ? n[key].as<T>() : fallback;
}

result<topic_spec> parse_topic(const YAML::Node& n) {
  topic_spec t;
  t.role = field_or<std::string>(n, "role", "");
  t.name = field_or<std::string>(n, "name", "");
  t.partitions = field_or<int32_t>(n, "partitions", 1);
  t.cleanup = field_or<std::string>(n, "cleanup", "delete");
  t.retention_ms = field_or<int64_t>(n, "retention_ms", -1);
  if (t.role.empty() || t.name.empty())
    return spec_error("every topic needs a role and a name");
  if (t.partitions < 1)
    return spec_error("topic " + t.name + ": partitions must be at least 1");
  if (t.cleanup != "delete" && t.cleanup != "compact")
    return spec_error("topic " + t.name + ": cleanup must be 'delete' or 'compact', not '" + t.cleanup + "'");
  return t;
}

result<stream_spec> parse_stream(const YAML::Node& n) {
  stream_spec s;
  s.name = field_or<std::string>(n, "name", "");
  s.schema_file = field_or<std::string>(n, "schema", "");
  s.key_field = field_or<std::string>(n, "key", "");
  s.event_time_field = field_or<std::string>(n, "event_time", "");
  if (s.name.empty())
    return spec_error("every stream needs a name");
  for (char c : s.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      return spec_error("stream name '" + s.name + "' may hold only letters, digits, '_' and '-'");
  return s;
}

} // namespace

const topic_spec* pipeline_spec::topic(const std::string& role) const {
  for (const auto& t : topics)
    if (t.role == role)
      return &t;
  return nullptr;
}

const std::string& pipeline_spec::topic_name(const std::string& role) const {
  if (auto t = topic(role))
    return t->name;
  throw std::out_of_range("pipeline spec has no topic with role '" + role + "'");
}

const stream_spec* pipeline_spec::stream(const std::string& stream_name) const {
  for (const auto& s : streams)
    if (s.name == stream_name)
      return &s;
  return nullptr;
}

std::string pipeline_spec::resolve(const std::string& relative) const {
  std::filesystem::path p{relative};
  return p.is_absolute() ? p.string() : (std::filesystem::path{base_dir} / p).lexically_normal().string();
}

result<pipeline_spec> parse_pipeline_spec(const std::string& yaml_text, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return spec_error(e.what());
  }
  pipeline_spec spec;
  spec.base_dir = base_dir;
  try {
    spec.name = field_or<std::string>(root, "pipeline", "");
    if (spec.name.empty())
      return spec_error("missing 'pipeline' (its name)");
    std::set<std::string> roles;
    for (const auto& n : root["topics"]) {
      auto t = parse_topic(n);
      if (!t)
        return t.err();
      if (!roles.insert(t->role).second)
        return spec_error("topic role '" + t->role + "' appears twice");
      spec.topics.push_back(std::move(*t));
    }
    for (const char* role : required_topic_roles)
      if (!spec.topic(role))
        return spec_error(std::string{"missing a topic with role '"} + role + "'");
    for (const auto& n : root["streams"]) {
      auto s = parse_stream(n);
      if (!s)
        return s.err();
      if (spec.stream(s->name))
        return spec_error("stream '" + s->name + "' appears twice");
      spec.streams.push_back(std::move(*s));
    }
    if (spec.streams.empty())
      return spec_error("no streams declared");
  } catch (const YAML::Exception& e) {
    return spec_error(e.what());
  }
  return spec;
}

result<pipeline_spec> load_pipeline_spec(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return spec_error("cannot open " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto dir = std::filesystem::absolute(std::filesystem::path{path}).parent_path().string();
  auto spec = parse_pipeline_spec(buf.str(), dir);
  if (spec)
    spec->path = std::filesystem::absolute(std::filesystem::path{path}).string();
  return spec;
}

} // namespace freshet::config
