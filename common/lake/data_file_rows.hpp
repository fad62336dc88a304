#pragma once

#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::lake {

/// The rows of the data file `add` (relative to `table_root`) as rows of `data_columns` (the table's
/// current schema without its partition columns), matched by name: a column the file lacks (added
/// by a later schema evolution) is null. What OPTIMIZE and Z-order rewrite.
[[nodiscard]] result<std::vector<parquet::row>> read_data_file_rows(const std::string& table_root, const add_action& add,
                                                                    const table_schema& data_columns);

} // namespace freshet::lake
