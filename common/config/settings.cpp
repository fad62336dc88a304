#include "common/config/settings.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace freshet::config {

namespace {

error config_error(std::string msg) {
  return make_error(error_domain::config, 1, std::move(msg));
}

void flatten(const YAML::Node& node, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node)
      flatten(kv.second, prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>(),
              out);
  } else if (node.IsScalar()) {
    out[prefix] = node.as<std::string>();
  } else if (node.IsSequence()) {
    std::string joined;
    for (const auto& item : node)
      joined += (joined.empty() ? "" : ",") + item.as<std::string>();
    out[prefix] = joined;
  } else if (node.IsNull() && !prefix.empty()) {
    out[prefix] = ""; // `key:` with no value: still a key, so an unknown one is rejected
  }
}

status apply(std::map<std::string, std::string>& values, const std::string& key, std::string value,
             const std::string& origin) {
  auto it = values.find(key);
  if (it == values.end())
    return config_error("unknown setting '" + key + "' in " + origin);
  it->second = std::move(value);
  return {};
}

} // namespace

std::string settings::env_name(const std::string& key) {
  std::string name = "FRESHET_";
  for (char c : key)
    name += (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

result<settings> settings::load(std::map<std::string, std::string> defaults, int argc, const char* const* argv) {
  settings s;
  s.values_ = std::move(defaults);
  std::string config_file;
  std::vector<std::pair<std::string, std::string>> flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (!arg.starts_with("--"))
      return config_error("unexpected argument '" + std::string{arg} + "' (flags are --key=value)");
    arg.remove_prefix(2);
    auto eq = arg.find('=');
    std::string key{arg.substr(0, eq)};
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string{arg.substr(eq + 1)};
    } else if (i + 1 < argc && !std::string_view{argv[i + 1]}.starts_with("--")) {
      value = argv[++i];
    } else {
      return config_error("flag --" + key + " needs a value");
    }
    if (key == "config")
      config_file = value;
    else
      flags.emplace_back(key, value);
  }
  if (config_file.empty())
    if (const char* env = std::getenv("FRESHET_CONFIG"))
      config_file = env;
  if (!config_file.empty()) {
    std::map<std::string, std::string> from_file;
    try {
      flatten(YAML::LoadFile(config_file), "", from_file);
    } catch (const YAML::Exception& e) {
      return config_error("cannot read " + config_file + ": " + e.what());
    }
    for (auto& [k, v] : from_file)
      FRESHET_TRY(apply(s.values_, k, v, config_file));
  }
  for (auto& [k, v] : s.values_)
    if (const char* env = std::getenv(env_name(k).c_str()))
      v = env;
  for (auto& [k, v] : flags)
    FRESHET_TRY(apply(s.values_, k, v, "the command line"));
  return s;
}

const std::string& settings::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end())
    throw std::logic_error("setting '" + key + "' was never declared");
  return it->second;
}

int64_t settings::get_int(const std::string& key) const {
  return std::stoll(get(key));
}

double settings::get_double(const std::string& key) const {
  return std::stod(get(key));
}

bool settings::get_bool(const std::string& key) const {
  const auto& v = get(key);
  return v == "true" || v == "1" || v == "yes" || v == "on";
}

} // namespace freshet::config
