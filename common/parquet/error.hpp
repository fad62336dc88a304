#pragma once

#include <string>

#include "common/base/result.hpp"

namespace freshet::parquet {

/// Codes of `error_domain::parquet`. Reader errors never abort: malformed bytes become `malformed`,
/// valid-but-unknown features `unsupported`, and inputs asking for more memory than the configured
/// `reader_options` allow become `limit_exceeded`.
enum class errc : int {
  malformed = 1,        ///< the bytes are not a valid Parquet file (or page, or footer)
  unsupported = 2,      ///< valid Parquet this implementation does not read (encoding, codec, type)
  schema_mismatch = 3,  ///< a row handed to the writer does not fit its schema
  limit_exceeded = 4,   ///< the input asks for more than the reader's limits
  io = 5,               ///< the file system said no
  invalid_argument = 6, ///< API misuse: bad schema, writing after close
};

[[nodiscard]] inline error make_parquet_error(errc code, std::string message) {
  return make_error(error_domain::parquet, static_cast<int>(code), std::move(message));
}

} // namespace freshet::parquet
