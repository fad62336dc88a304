#include "common/parquet/reader.hpp"

#include <algorithm>

#include "common/parquet/assembler.hpp"
#include "common/parquet/column_reader.hpp"
#include "common/parquet/error.hpp"
#include "common/parquet/plain.hpp"

namespace freshet::parquet {
namespace {

constexpr std::string_view magic = "PAR1";

error malformed(const std::string& why) { return make_parquet_error(errc::malformed, why); }

status check_row_groups(const file_meta_data& meta, const schema& s) {
  const auto& cols = s.columns();
  if (meta.num_rows < 0)
    return malformed("negative row count");
  for (const auto& rg : meta.row_groups) {
    if (rg.columns.size() != cols.size())
      return malformed("a row group has " + std::to_string(rg.columns.size()) + " columns, the schema " + std::to_string(cols.size()));
    if (rg.num_rows < 0)
      return malformed("negative row count in a row group");
    for (size_t i = 0; i < cols.size(); ++i) {
      const auto& c = rg.columns[i];
      if (c.file_path && !c.file_path->empty())
        return make_parquet_error(errc::unsupported, "column data in another file");
      if (!c.meta_data)
        return make_parquet_error(errc::unsupported, "column chunk without metadata (encrypted?)");
      if (c.meta_data->type != cols[i].physical)
        return malformed("column " + cols[i].dotted_path() + ": chunk type differs from the schema");
      if (c.meta_data->path_in_schema != cols[i].path)
        return malformed("column " + cols[i].dotted_path() + ": chunk path differs from the schema");
    }
  }
  return {};
}

} // namespace

result<reader> reader::open(std::unique_ptr<input> in, reader_options options) {
  const uint64_t size = in->size();
  if (size < 12)
    return malformed("file too small for Parquet");
  std::string scratch;
  auto head = in->read_at(0, 4, scratch);
  FRESHET_TRY(head);
  if (*head != magic)
    return malformed("no PAR1 magic at the start");
  auto tail = in->read_at(size - 8, 8, scratch);
  FRESHET_TRY(tail);
  if (tail->substr(4) == "PARE")
    return make_parquet_error(errc::unsupported, "encrypted footer");
  if (tail->substr(4) != magic)
    return malformed("no PAR1 magic at the end");
  const uint32_t footer_len = get_le<uint32_t>(reinterpret_cast<const uint8_t*>(tail->data()));
  if (footer_len > size - 12)
    return malformed("footer longer than the file");
  if (footer_len > options.max_footer_bytes)
    return make_parquet_error(errc::limit_exceeded, "footer larger than max_footer_bytes");
  auto footer = in->read_at(size - 8 - footer_len, footer_len, scratch);
  FRESHET_TRY(footer);
  auto meta = parse_file_meta_data(*footer, options.max_schema_depth);
  FRESHET_TRY(meta);
  auto s = schema::from_elements(meta->schema, options.max_schema_depth);
  FRESHET_TRY(s);
  FRESHET_TRY(check_row_groups(*meta, *s));
  return reader{std::move(in), std::move(*meta), std::move(*s), options};
}

result<reader> reader::open_file(const std::string& path, reader_options options) {
  auto in = file_input(path);
  FRESHET_TRY(in);
  return open(std::move(*in), options);
}

std::optional<std::string> reader::key_value(std::string_view key) const {
  for (const auto& kv : meta_.key_value_metadata)
    if (kv.key == key)
      return kv.value.value_or(std::string{});
  return std::nullopt;
}

result<std::vector<row>> reader::read_row_group(size_t index, const std::vector<std::string>& fields) {
  if (index >= meta_.row_groups.size())
    return make_parquet_error(errc::invalid_argument, "no row group " + std::to_string(index));
  std::vector<size_t> wanted;
  if (fields.empty()) {
    for (size_t i = 0; i < schema_.nodes().size(); ++i)
      wanted.push_back(i);
  } else {
    for (const auto& name : fields) {
      auto i = schema_.field_index(name);
      if (!i)
        return make_parquet_error(errc::invalid_argument, "no field '" + name + "'");
      if (std::find(wanted.begin(), wanted.end(), *i) != wanted.end())
        return make_parquet_error(errc::invalid_argument, "field '" + name + "' asked for twice");
      wanted.push_back(*i);
    }
  }
  const auto& rg = meta_.row_groups[index];
  std::vector<column_data> columns(schema_.columns().size());
  std::vector<bool> loaded(columns.size(), false);
  for (size_t f : wanted) {
    const auto& n = schema_.nodes()[f];
    for (size_t c = n.first_column; c < n.first_column + n.column_count; ++c) {
      if (loaded[c])
        continue;
      auto data = read_column_chunk(*in_, schema_.columns()[c], *rg.columns[c].meta_data, options_);
      FRESHET_TRY(data);
      columns[c] = std::move(*data);
      loaded[c] = true;
    }
  }
  return assemble_rows(schema_, wanted, columns, rg.num_rows);
}

result<std::vector<row>> reader::read_all(const std::vector<std::string>& fields) {
  std::vector<row> all;
  for (size_t i = 0; i < meta_.row_groups.size(); ++i) {
    auto rows = read_row_group(i, fields);
    FRESHET_TRY(rows);
    for (auto& r : *rows)
      all.push_back(std::move(r));
  }
  return all;
}

column_statistics reader::statistics(size_t row_group, size_t column) const {
  if (row_group >= meta_.row_groups.size() || column >= schema_.columns().size())
    return {};
  const auto& m = meta_.row_groups[row_group].columns[column].meta_data;
  if (!m || !m->stats)
    return {};
  std::optional<column_order> order;
  if (meta_.column_orders && column < meta_.column_orders->size())
    order = (*meta_.column_orders)[column];
  return decode_statistics(schema_.columns()[column], *m->stats, order);
}

} // namespace freshet::parquet
