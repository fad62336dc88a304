#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/event/record.hpp"

namespace freshet::enrich {

/// One row of a reference table, decoded (columns as fields). Shared, immutable.
using row_ptr = std::shared_ptr<const event::record>;

/// A table the enricher joins against: a materialized dim topic or a Redis-backed table.
/// `find` and `prefetch` are called only from the stage actor's thread.
class table_source {
 public:
  virtual ~table_source() = default;

  [[nodiscard]] virtual const std::string& name() const = 0;

  /// The row with this key; nullptr when there is none. Errors are retriable (the batch is retried).
  [[nodiscard]] virtual result<row_ptr> find(const std::string& key) = 0;

  /// Fetches these keys ahead of the `find` calls of a batch (one round trip instead of one per
  /// key). Tables that are local do nothing.
  [[nodiscard]] virtual status prefetch(const std::vector<std::string>& keys) {
    (void) keys;
    return {};
  }
};

} // namespace freshet::enrich
