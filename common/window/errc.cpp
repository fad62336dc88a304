#include "common/window/errc.hpp"

#include <string>

namespace freshet::window {

const char* to_string(errc e) {
  switch (e) {
    case errc::invalid_spec: return "invalid_spec";
    case errc::invalid_window: return "invalid_window";
    case errc::invalid_aggregation: return "invalid_aggregation";
    case errc::truncated: return "truncated";
    case errc::bad_varint: return "bad_varint";
    case errc::bad_version: return "bad_version";
    case errc::bad_kind: return "bad_kind";
    case errc::invalid_state: return "invalid_state";
    case errc::spec_mismatch: return "spec_mismatch";
    case errc::incompatible_merge: return "incompatible_merge";
    case errc::invalid_event: return "invalid_event";
  }
  return "unknown";
}

error make_window_error(errc e, std::string_view message) {
  auto code = static_cast<int>(e);
  auto domain = code < 200 ? error_domain::config : code < 300 ? error_domain::decode : error_domain::internal;
  std::string msg = to_string(e);
  msg += ": ";
  msg += message;
  return make_error(domain, code, std::move(msg));
}

} // namespace freshet::window
