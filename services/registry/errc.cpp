#include "services/registry/errc.hpp"

namespace freshet::registry {

error make_error(errc code, std::string message) {
  auto c = static_cast<int>(code);
  // Store errors may succeed when retried; everything else is the request's fault.
  return freshet::make_error(error_domain::http, c, std::move(message), c >= 50000);
}

int http_status_of(int error_code) {
  if (error_code >= 10000)
    return error_code / 100;
  if (error_code >= 100 && error_code < 600)
    return error_code;
  return 500;
}

} // namespace freshet::registry
