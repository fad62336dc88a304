#pragma once

#include <map>
#include <string>

namespace freshet::kafka {

using config_map = std::map<std::string, std::string>;

/// The producer settings every service uses (idempotent, acks=all, lz4, small linger).
/// One place, so benchmarks measure exactly what the services run.
[[nodiscard]] config_map producer_config(const std::string& bootstrap, const std::string& client_id);

/// The consumer settings every service uses: read_committed, no auto-commit, cooperative-sticky.
[[nodiscard]] config_map consumer_config(const std::string& bootstrap, const std::string& group_id,
                                         const std::string& client_id);

/// `base` with `overrides` applied on top.
[[nodiscard]] config_map merged(config_map base, const config_map& overrides);

} // namespace freshet::kafka
