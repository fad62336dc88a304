#include "common/lake/data_file_rows.hpp"

#include <optional>

#include "common/lake/errc.hpp"
#include "common/parquet/reader.hpp"

namespace freshet::lake {

result<std::vector<parquet::row>> read_data_file_rows(const std::string& table_root, const add_action& add,
                                                      const table_schema& data_columns) {
  const auto path = table_root + "/" + decode_path(add.path);
  auto r = parquet::reader::open_file(path);
  if (!r.ok())
    return make_lake_error(errc::storage, path + ": " + r.err().describe());
  // Where each wanted column is in the file (nullopt: the file predates the column).
  std::vector<std::string> present;
  std::vector<std::optional<size_t>> slot(data_columns.size());
  for (size_t i = 0; i < data_columns.size(); ++i)
    if (r->file_schema().field_index(data_columns[i].name)) {
      slot[i] = present.size();
      present.push_back(data_columns[i].name);
    } else if (!data_columns[i].nullable) {
      return make_lake_error(errc::schema_mismatch, path + " lacks the required column " + data_columns[i].name);
    }
  auto rows = r->read_all(present);
  if (!rows.ok())
    return make_lake_error(errc::storage, path + ": " + rows.err().describe());
  if (present.size() == data_columns.size())
    return rows;
  std::vector<parquet::row> out;
  out.reserve(rows->size());
  for (auto& row : *rows) {
    parquet::row full(data_columns.size());
    for (size_t i = 0; i < data_columns.size(); ++i)
      if (slot[i])
        full[i] = std::move(row[*slot[i]]);
    out.push_back(std::move(full));
  }
  return out;
}

} // namespace freshet::lake
