#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::config {

/// A service's configuration: flat dotted keys ("kafka.bootstrap") with string values.
///
/// Precedence, lowest first: the defaults the service declares, the YAML file named by `--config`
/// (nested maps flatten to dotted keys), environment variables (`kafka.bootstrap` is read from
/// `FRESHET_KAFKA_BOOTSTRAP`), then command-line flags `--kafka.bootstrap=host:port`.
/// Only declared keys are accepted, so a typo fails at start instead of being ignored.
/// Immutable after `load`; safe to read from any thread.
class settings {
 public:
  /// `defaults` declares every key the service understands.
  [[nodiscard]] static result<settings> load(std::map<std::string, std::string> defaults, int argc,
                                             const char* const* argv);

  [[nodiscard]] const std::string& get(const std::string& key) const;
  [[nodiscard]] int64_t get_int(const std::string& key) const;
  [[nodiscard]] bool get_bool(const std::string& key) const;
  [[nodiscard]] double get_double(const std::string& key) const;
  [[nodiscard]] const std::map<std::string, std::string>& all() const { return values_; }

  /// The environment variable that overrides `key`.
  [[nodiscard]] static std::string env_name(const std::string& key);

 private:
  std::map<std::string, std::string> values_;
};

} // namespace freshet::config
