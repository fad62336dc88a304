#include "common/schema/errc.hpp"

namespace freshet::schema {

const char* to_string(errc e) {
  switch (e) {
    case errc::unreachable: return "unreachable";
    case errc::server_error: return "server_error";
    case errc::subject_not_found: return "subject_not_found";
    case errc::version_not_found: return "version_not_found";
    case errc::schema_not_found: return "schema_not_found";
    case errc::incompatible: return "incompatible";
    case errc::invalid_schema: return "invalid_schema";
    case errc::bad_request: return "bad_request";
    case errc::bad_response: return "bad_response";
    case errc::unparseable_schema: return "unparseable_schema";
  }
  return "unknown";
}

error make_schema_error(errc e, std::string message) {
  bool retriable = e == errc::unreachable || e == errc::server_error;
  return make_error(error_domain::http, static_cast<int>(e), std::move(message), retriable);
}

errc reason_of(const error& err) {
  if (err.domain != error_domain::http || err.code < static_cast<int>(errc::unreachable) ||
      err.code > static_cast<int>(errc::unparseable_schema))
    return errc{0};
  return static_cast<errc>(err.code);
}

bool is_not_found(const error& err) {
  auto r = reason_of(err);
  return r == errc::subject_not_found || r == errc::version_not_found || r == errc::schema_not_found;
}

} // namespace freshet::schema
