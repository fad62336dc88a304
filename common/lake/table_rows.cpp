#include "common/lake/table_rows.hpp"

#include <algorithm>
#include <cmath>

#include "common/base/clock.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/file_stats.hpp"
#include "common/lake/log_replay.hpp"

namespace freshet::lake {

namespace {

using k = data_type::kind;

std::string base64(const std::string& in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += {alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], alphabet[n & 63]};
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    out += {alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8);
    out += {alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63], '='};
  }
  return out;
}

nlohmann::json time_json(int64_t micros, time_style times) {
  // Floor division: a timestamp before the epoch stays in its own millisecond.
  const int64_t ms = micros >= 0 ? micros / 1000 : -((-micros + 999) / 1000);
  if (times == time_style::epoch_ms)
    return ms;
  return format_utc_ms(ms);
}

/// A partition value (PROTOCOL.md "Partition Value Serialization") as JSON of its column's type.
nlohmann::json partition_json(const std::optional<std::string>& text, const data_type& type, time_style times) {
  if (!text)
    return nullptr;
  try {
    switch (type.k) {
      case k::long_:
      case k::integer:
      case k::short_:
      case k::byte: return std::stoll(*text);
      case k::float_:
      case k::double_: return std::stod(*text);
      case k::boolean: return *text == "true";
      case k::timestamp:
        if (times == time_style::epoch_ms)
          break; // "YYYY-MM-DD HH:MM:SS[.ffffff]": kept as the log writes it
        return *text;
      default: return *text;
    }
  } catch (const std::exception&) {
  }
  return *text;
}

} // namespace

nlohmann::json to_json(const parquet::value& v, const data_type& type, time_style times) {
  using vk = parquet::value::kind;
  switch (v.type()) {
    case vk::null: return nullptr;
    case vk::boolean: return v.as_bool();
    case vk::int32:
      if (type.k == k::date)
        return format_date(v.as_int32());
      return v.as_int32();
    case vk::int64:
      if (type.k == k::timestamp || type.k == k::timestamp_ntz)
        return time_json(v.as_int64(), times);
      return v.as_int64();
    case vk::float32:
    case vk::float64: {
      const double d = v.as_double();
      if (!std::isfinite(d))
        return nullptr; // JSON has no NaN or infinity
      return d;
    }
    case vk::bytes:
      if (type.k == k::binary)
        return base64(v.as_bytes());
      return v.as_bytes();
    case vk::list: {
      auto out = nlohmann::json::array();
      const data_type element = type.children.empty() ? primitive(k::string) : type.children[0];
      for (const auto& item : v.items())
        out.push_back(to_json(item, element, times));
      return out;
    }
    case vk::struct_: {
      auto out = nlohmann::json::object();
      for (size_t i = 0; i < v.items().size() && i < type.fields.size(); ++i)
        out[type.fields[i].name] = to_json(v.items()[i], type.fields[i].type, times);
      return out;
    }
    case vk::map: {
      const data_type key = type.children.size() == 2 ? type.children[0] : primitive(k::string);
      const data_type value = type.children.size() == 2 ? type.children[1] : primitive(k::string);
      if (key.k == k::string) {
        auto out = nlohmann::json::object();
        for (size_t i = 0; i < v.map_size(); ++i)
          out[v.map_key(i).as_bytes()] = to_json(v.map_value(i), value, times);
        return out;
      }
      auto out = nlohmann::json::array();
      for (size_t i = 0; i < v.map_size(); ++i)
        out.push_back({to_json(v.map_key(i), key, times), to_json(v.map_value(i), value, times)});
      return out;
    }
  }
  return nullptr;
}

std::vector<add_action> live_files(const snapshot& s) {
  std::vector<add_action> out;
  out.reserve(s.files().size());
  for (const auto& [path, add] : s.files())
    out.push_back(add);
  std::stable_sort(out.begin(), out.end(), [](const add_action& a, const add_action& b) {
    return a.modification_time != b.modification_time ? a.modification_time < b.modification_time : a.path < b.path;
  });
  return out;
}

result<std::vector<add_action>> files_added_between(const log_store& store, int64_t from_version, int64_t to_version) {
  if (from_version > to_version)
    return make_lake_error(errc::invalid_argument, "from version " + std::to_string(from_version) +
                                                     " is after to version " + std::to_string(to_version));
  std::vector<add_action> out;
  for (int64_t v = std::max<int64_t>(from_version + 1, 0); v <= to_version; ++v) {
    auto actions = read_commit(store, v);
    if (!actions)
      return actions.err();
    for (auto& a : *actions)
      if (auto* add = std::get_if<add_action>(&a); add && add->data_change)
        out.push_back(std::move(*add));
  }
  return out;
}

result<row_reader> row_reader::open(std::string root, table_schema schema, std::vector<std::string> partition_columns,
                                    std::vector<add_action> files, row_read_options options) {
  row_reader r;
  r.root_ = std::move(root);
  r.files_ = std::move(files);
  auto is_partition = [&](const std::string& name) {
    return std::find(partition_columns.begin(), partition_columns.end(), name) != partition_columns.end();
  };
  if (options.columns.empty()) {
    for (const auto& f : schema)
      r.wanted_.push_back({f.name, f.type, is_partition(f.name)});
  } else {
    for (const auto& name : options.columns) {
      auto it = std::find_if(schema.begin(), schema.end(), [&](const struct_field& f) { return f.name == name; });
      if (it == schema.end())
        return make_lake_error(errc::invalid_argument, "the table has no column '" + name + "'");
      r.wanted_.push_back({it->name, it->type, is_partition(name)});
    }
  }
  for (const auto& w : r.wanted_) {
    r.names_.push_back(w.name);
    if (!w.partition)
      r.projection_.push_back(w.name);
  }
  r.options_ = std::move(options);
  return r;
}

result<row_reader> row_reader::open(std::string root, const snapshot& s, row_read_options options) {
  FRESHET_TRY(s.check_readable());
  return open(std::move(root), s.schema(), s.metadata().partition_columns, live_files(s), std::move(options));
}

status row_reader::open_file() {
  const auto path = root_ + "/" + decode_path(files_[file_].path);
  auto r = parquet::reader::open_file(path);
  if (!r)
    return make_lake_error(errc::storage, path + ": " + r.err().message);
  reader_.emplace(std::move(*r));
  row_group_ = 0;
  return {};
}

result<std::vector<nlohmann::json>> row_reader::next() {
  std::vector<nlohmann::json> out;
  while (out.empty() && file_ < files_.size() && (options_.limit == 0 || returned_ < options_.limit)) {
    if (!reader_)
      FRESHET_TRY(open_file());
    if (row_group_ >= reader_->num_row_groups()) {
      reader_.reset();
      ++file_;
      continue;
    }
    // A file written before a column was added lacks it: its rows hold null there.
    std::vector<std::string> present;
    for (const auto& name : projection_)
      if (reader_->file_schema().field_index(name))
        present.push_back(name);
    const auto& add = files_[file_];
    auto rows = present.empty() && !projection_.empty()
                  ? result<std::vector<parquet::row>>{std::vector<parquet::row>(
                      static_cast<size_t>(reader_->metadata().row_groups[row_group_].num_rows))}
                  : reader_->read_row_group(row_group_, present);
    ++row_group_;
    if (!rows)
      return make_lake_error(errc::storage, add.path + ": " + rows.err().message);
    for (const auto& row : *rows) {
      if (options_.limit != 0 && returned_ >= options_.limit)
        break;
      auto obj = nlohmann::json::object();
      size_t next_present = 0;
      for (const auto& w : wanted_) {
        nlohmann::json v;
        if (w.partition) {
          auto it = add.partition.find(w.name);
          v = it == add.partition.end() ? nlohmann::json(nullptr) : partition_json(it->second, w.type, options_.times);
        } else if (next_present < present.size() && present[next_present] == w.name) {
          v = next_present < row.size() ? to_json(row[next_present], w.type, options_.times) : nlohmann::json(nullptr);
          ++next_present;
        }
        if (!(options_.skip_nulls && v.is_null()))
          obj[w.name] = std::move(v);
      }
      out.push_back(std::move(obj));
      ++returned_;
    }
  }
  return out;
}

} // namespace freshet::lake
