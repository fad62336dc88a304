#pragma once

#include <cstdint>
#include <vector>

#include "common/base/result.hpp"
#include "common/parquet/column_reader.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet {

/// Dremel assembly, the inverse of `shred_row`: rebuilds rows of the top-level fields `fields`
/// (indices into `s.nodes()`, in the order wanted) from their leaf columns. `columns` is indexed by
/// leaf column and need only hold the columns under `fields`; values are moved out of it. Levels that
/// disagree between columns, run out early or are left over are `errc::malformed`, as is a row count
/// other than `expected_rows`.
[[nodiscard]] result<std::vector<row>> assemble_rows(const schema& s, const std::vector<size_t>& fields,
                                                     std::vector<column_data>& columns, int64_t expected_rows);

} // namespace freshet::parquet
