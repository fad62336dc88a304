#include "common/lake/errc.hpp"

namespace freshet::lake {

const char* to_string(errc e) {
  switch (e) {
    case errc::version_taken: return "version_taken";
    case errc::conflict: return "conflict";
    case errc::not_a_table: return "not_a_table";
    case errc::version_not_found: return "version_not_found";
    case errc::malformed_log: return "malformed_log";
    case errc::unsupported: return "unsupported";
    case errc::storage: return "storage";
    case errc::invalid_argument: return "invalid_argument";
    case errc::schema_mismatch: return "schema_mismatch";
  }
  return "unknown";
}

error make_lake_error(errc e, std::string message, bool retriable) {
  return make_error(error_domain::io, static_cast<int>(e), std::string{"lake "} + to_string(e) + ": " + message,
                    retriable);
}

bool is(const error& err, errc e) {
  return err.domain == error_domain::io && err.code == static_cast<int>(e);
}

} // namespace freshet::lake
