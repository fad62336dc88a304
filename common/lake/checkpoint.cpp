#include "common/lake/checkpoint.hpp"

#include <cctype>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/lake/detail/json_number.hpp"
#include "common/lake/errc.hpp"
#include "common/parquet/reader.hpp"
#include "common/parquet/writer.hpp"

namespace freshet::lake {

namespace {

using parquet::field;
using parquet::type_kind;
using parquet::value;

field str(const char* name) {
  return parquet::make_field(name, type_kind::string);
}
field i64(const char* name) {
  return parquet::make_field(name, type_kind::int64);
}
field i32(const char* name) {
  return parquet::make_field(name, type_kind::int32);
}
field boolean(const char* name) {
  return parquet::make_field(name, type_kind::boolean);
}
field string_map(const char* name) {
  return parquet::map_field(name, parquet::make_field("key", type_kind::string, false),
                            parquet::make_field("value", type_kind::string));
}

std::vector<field> checkpoint_fields() {
  return {
    parquet::struct_field("txn", {str("appId"), i64("version"), i64("lastUpdated")}),
    parquet::struct_field("add", {str("path"), string_map("partitionValues"), i64("size"), i64("modificationTime"),
                                  boolean("dataChange"), str("stats"), string_map("tags")}),
    parquet::struct_field("remove", {str("path"), i64("deletionTimestamp"), boolean("dataChange"),
                                     boolean("extendedFileMetadata"), string_map("partitionValues"), i64("size")}),
    parquet::struct_field("metaData",
                          {str("id"), str("name"), str("description"),
                           parquet::struct_field("format", {str("provider"), string_map("options")}),
                           str("schemaString"),
                           parquet::list_field("partitionColumns", parquet::make_field("element", type_kind::string)),
                           i64("createdTime"), string_map("configuration")}),
    parquet::struct_field("protocol", {i32("minReaderVersion"), i32("minWriterVersion")}),
  };
}

value text(const std::string& s) {
  return value::bytes(s);
}
value opt_text(const std::optional<std::string>& s) {
  return s ? value::bytes(*s) : value{};
}
value opt_i64(const std::optional<int64_t>& v) {
  return v ? value::int64(*v) : value{};
}
value map_value(const std::map<std::string, std::string>& m) {
  std::vector<std::pair<value, value>> entries;
  for (const auto& [k, v] : m)
    entries.emplace_back(value::bytes(k), value::bytes(v));
  return value::map(std::move(entries));
}
value partition_value(const partition_values& p) {
  std::vector<std::pair<value, value>> entries;
  for (const auto& [k, v] : p)
    entries.emplace_back(value::bytes(k), opt_text(v));
  return value::map(std::move(entries));
}

/// A row with only column `slot` set.
parquet::row row_with(size_t slot, value v) {
  parquet::row r(5);
  r[slot] = std::move(v);
  return r;
}

// ---- reading: columns by name, whatever the writer's order ----

struct node_view {
  const field* f = nullptr;
  const value* v = nullptr;

  [[nodiscard]] bool null() const { return !v || v->is_null(); }
  [[nodiscard]] node_view operator[](std::string_view name) const {
    if (null() || f->kind != type_kind::struct_)
      return {};
    for (size_t i = 0; i < f->children.size() && i < v->items().size(); ++i)
      if (f->children[i].name == name)
        return {&f->children[i], &v->items()[i]};
    return {};
  }
  [[nodiscard]] std::optional<std::string> str() const {
    if (null() || v->type() != value::kind::bytes)
      return std::nullopt;
    return v->as_bytes();
  }
  [[nodiscard]] std::optional<int64_t> i64() const {
    if (null())
      return std::nullopt;
    if (v->type() == value::kind::int64)
      return v->as_int64();
    if (v->type() == value::kind::int32)
      return v->as_int32();
    return std::nullopt;
  }
  [[nodiscard]] std::optional<bool> boolean() const {
    if (null() || v->type() != value::kind::boolean)
      return std::nullopt;
    return v->as_bool();
  }
  [[nodiscard]] std::map<std::string, std::string> string_map() const {
    std::map<std::string, std::string> out;
    if (null() || v->type() != value::kind::map)
      return out;
    for (size_t i = 0; i < v->map_size(); ++i)
      if (!v->map_value(i).is_null())
        out[v->map_key(i).as_bytes()] = v->map_value(i).as_bytes();
    return out;
  }
  [[nodiscard]] partition_values partitions() const {
    partition_values out;
    if (null() || v->type() != value::kind::map)
      return out;
    for (size_t i = 0; i < v->map_size(); ++i)
      out[v->map_key(i).as_bytes()] =
        v->map_value(i).is_null() ? std::nullopt : std::optional<std::string>{v->map_value(i).as_bytes()};
    return out;
  }
  [[nodiscard]] std::vector<std::string> strings() const {
    std::vector<std::string> out;
    if (null() || v->type() != value::kind::list)
      return out;
    for (const auto& item : v->items())
      if (item.type() == value::kind::bytes)
        out.push_back(item.as_bytes());
    return out;
  }
};

error bad(const std::string& what) {
  return make_lake_error(errc::malformed_log, "checkpoint: " + what);
}

result<action> to_action(const std::string& kind, const node_view& n) {
  if (kind == "txn") {
    txn_action t;
    auto id = n["appId"].str();
    auto v = n["version"].i64();
    if (!id || !v)
      return bad("txn without appId or version");
    t.app_id = *id;
    t.version = *v;
    t.last_updated = n["lastUpdated"].i64();
    return action{std::move(t)};
  }
  if (kind == "add") {
    add_action a;
    auto path = n["path"].str();
    auto size = n["size"].i64();
    if (!path || !size)
      return bad("add without path or size");
    a.path = *path;
    a.size = *size;
    a.partition = n["partitionValues"].partitions();
    a.modification_time = n["modificationTime"].i64().value_or(0);
    a.data_change = n["dataChange"].boolean().value_or(true);
    a.stats = n["stats"].str();
    a.tags = n["tags"].string_map();
    return action{std::move(a)};
  }
  if (kind == "remove") {
    remove_action r;
    auto path = n["path"].str();
    if (!path)
      return bad("remove without path");
    r.path = *path;
    r.deletion_timestamp = n["deletionTimestamp"].i64();
    r.data_change = n["dataChange"].boolean().value_or(true);
    r.extended_file_metadata = n["extendedFileMetadata"].boolean();
    if (!n["partitionValues"].null())
      r.partition = n["partitionValues"].partitions();
    r.size = n["size"].i64();
    return action{std::move(r)};
  }
  if (kind == "metaData") {
    metadata_action m;
    auto id = n["id"].str();
    auto schema = n["schemaString"].str();
    if (!id || !schema)
      return bad("metaData without id or schemaString");
    m.id = *id;
    m.schema_string = *schema;
    m.name = n["name"].str();
    m.description = n["description"].str();
    m.format.provider = n["format"]["provider"].str().value_or("parquet");
    m.format.options = n["format"]["options"].string_map();
    m.partition_columns = n["partitionColumns"].strings();
    m.created_time = n["createdTime"].i64();
    m.configuration = n["configuration"].string_map();
    return action{std::move(m)};
  }
  protocol_action p;
  auto r = n["minReaderVersion"].i64();
  auto w = n["minWriterVersion"].i64();
  if (!r || !w)
    return bad("protocol without versions");
  p.min_reader_version = static_cast<int32_t>(*r);
  p.min_writer_version = static_cast<int32_t>(*w);
  return action{std::move(p)};
}

} // namespace

result<written_checkpoint> write_checkpoint(const snapshot& s, const checkpoint_options& options) {
  if (!s.has_metadata())
    return make_lake_error(errc::invalid_argument, "cannot checkpoint a table without metadata");
  auto schema = parquet::schema::make(checkpoint_fields());
  if (!schema.ok())
    return schema.err();
  parquet::memory_output out;
  parquet::writer_options wo;
  wo.codec = options.codec;
  auto w = parquet::writer::open(out, std::move(*schema), wo);
  if (!w.ok())
    return w.err();
  written_checkpoint cp;
  cp.info.version = s.version();
  auto append = [&](parquet::row r) -> status {
    ++cp.info.size;
    return (*w)->append(r);
  };
  const auto& p = s.protocol();
  FRESHET_TRY(append(row_with(4, value::struct_({value::int32(p.min_reader_version), value::int32(p.min_writer_version)}))));
  const auto& m = s.metadata();
  std::vector<value> columns;
  for (const auto& c : m.partition_columns)
    columns.push_back(value::bytes(c));
  FRESHET_TRY(append(row_with(
    3, value::struct_({text(m.id), opt_text(m.name), opt_text(m.description),
                       value::struct_({text(m.format.provider), map_value(m.format.options)}), text(m.schema_string),
                       value::list(std::move(columns)), opt_i64(m.created_time), map_value(m.configuration)}))));
  for (const auto& [id, t] : s.transactions())
    FRESHET_TRY(append(row_with(0, value::struct_({text(t.app_id), value::int64(t.version), opt_i64(t.last_updated)}))));
  for (const auto& [path, a] : s.files()) {
    FRESHET_TRY(append(row_with(1, value::struct_({text(a.path), partition_value(a.partition), value::int64(a.size),
                                                   value::int64(a.modification_time), value::boolean(a.data_change),
                                                   opt_text(a.stats), map_value(a.tags)}))));
    ++cp.info.num_add_files;
  }
  int64_t retention = options.tombstone_retention_ms;
  if (auto it = m.configuration.find("delta.deletedFileRetentionDuration"); it != m.configuration.end())
    retention = parse_interval_ms(it->second).value_or(retention);
  const int64_t now = options.now_ms ? options.now_ms : now_ms();
  for (const auto& [path, r] : s.tombstones()) {
    if (r.deletion_timestamp && *r.deletion_timestamp < now - retention)
      continue;
    FRESHET_TRY(append(row_with(
      2, value::struct_({text(r.path), opt_i64(r.deletion_timestamp), value::boolean(r.data_change),
                         r.extended_file_metadata ? value::boolean(*r.extended_file_metadata) : value{},
                         r.partition ? partition_value(*r.partition) : value{}, opt_i64(r.size)}))));
  }
  FRESHET_TRY((*w)->close());
  cp.bytes = out.take();
  cp.info.size_in_bytes = static_cast<int64_t>(cp.bytes.size());
  return cp;
}

result<std::vector<action>> read_checkpoint(std::string bytes) {
  auto r = parquet::reader::open(parquet::memory_input(std::move(bytes)));
  if (!r.ok())
    return bad(r.err().message);
  static const char* kinds[] = {"txn", "add", "remove", "metaData", "protocol"};
  std::vector<std::string> wanted;
  std::vector<const field*> fields;
  for (const char* k : kinds) {
    if (auto i = r->file_schema().field_index(k)) {
      wanted.emplace_back(k);
      fields.push_back(&r->file_schema().fields()[*i]);
    }
  }
  std::vector<action> out;
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    auto rows = r->read_row_group(g, wanted);
    if (!rows.ok())
      return bad(rows.err().message);
    for (const auto& row : *rows) {
      for (size_t i = 0; i < wanted.size() && i < row.size(); ++i) {
        if (row[i].is_null())
          continue;
        auto a = to_action(wanted[i], node_view{fields[i], &row[i]});
        if (!a.ok())
          return a.err();
        out.push_back(std::move(*a));
      }
    }
  }
  return out;
}

std::string last_checkpoint_json(const checkpoint_info& info) {
  nlohmann::json j{{"version", info.version},
                   {"size", info.size},
                   {"sizeInBytes", info.size_in_bytes},
                   {"numOfAddFiles", info.num_add_files}};
  if (info.parts > 0)
    j["parts"] = info.parts;
  return j.dump();
}

result<checkpoint_info> parse_last_checkpoint(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number())
    return make_lake_error(errc::malformed_log, "_last_checkpoint has no version");
  checkpoint_info info;
  try {
    info.version = detail::json_value_as<int64_t>(j["version"], "version");
    info.size = detail::json_member_or<int64_t>(j, "size", 0);
    info.size_in_bytes = detail::json_member_or<int64_t>(j, "sizeInBytes", 0);
    info.num_add_files = detail::json_member_or<int64_t>(j, "numOfAddFiles", 0);
    info.parts = detail::json_member_or<int>(j, "parts", 0);
  } catch (const std::exception& e) { // out of range, or not a number
    return make_lake_error(errc::malformed_log, std::string{"_last_checkpoint: "} + e.what());
  }
  if (info.version < 0 || info.parts < 0)
    return make_lake_error(errc::malformed_log, "_last_checkpoint has a negative version or part count");
  return info;
}

std::optional<int64_t> parse_interval_ms(std::string_view text) {
  std::istringstream in{std::string{text}};
  std::string word, unit;
  int64_t n = 0;
  in >> word;
  if (word != "interval")
    return std::nullopt;
  if (!(in >> n >> unit))
    return std::nullopt;
  for (auto& c : unit)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.ends_with("s"))
    unit.pop_back();
  const std::pair<const char*, int64_t> units[] = {{"millisecond", 1},       {"second", 1000},
                                                   {"minute", 60'000},       {"hour", 3'600'000},
                                                   {"day", 86'400'000},      {"week", 7 * 86'400'000LL}};
  for (const auto& [name, ms] : units)
    if (unit == name)
      return n * ms;
  return std::nullopt;
}

} // namespace freshet::lake
