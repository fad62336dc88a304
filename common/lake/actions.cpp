#include "common/lake/actions.hpp"

#include <nlohmann/json.hpp>

#include "common/lake/detail/json_number.hpp"
#include "common/lake/errc.hpp"

namespace freshet::lake {

namespace {

using json = nlohmann::json;

json string_map(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m)
    out[k] = v;
  return out;
}

json partition_json(const partition_values& p) {
  json out = json::object();
  for (const auto& [k, v] : p)
    out[k] = v ? json(*v) : json(nullptr);
  return out;
}

struct to_json_visitor {
  json operator()(const protocol_action& p) const {
    json o{{"minReaderVersion", p.min_reader_version}, {"minWriterVersion", p.min_writer_version}};
    if (p.min_reader_version >= 3)
      o["readerFeatures"] = p.reader_features;
    if (p.min_writer_version >= 7)
      o["writerFeatures"] = p.writer_features;
    return {{"protocol", o}};
  }
  json operator()(const metadata_action& m) const {
    json o{{"id", m.id},
           {"format", {{"provider", m.format.provider}, {"options", string_map(m.format.options)}}},
           {"schemaString", m.schema_string},
           {"partitionColumns", m.partition_columns},
           {"configuration", string_map(m.configuration)}};
    if (m.name)
      o["name"] = *m.name;
    if (m.description)
      o["description"] = *m.description;
    if (m.created_time)
      o["createdTime"] = *m.created_time;
    return {{"metaData", o}};
  }
  json operator()(const add_action& a) const {
    json o{{"path", a.path},
           {"partitionValues", partition_json(a.partition)},
           {"size", a.size},
           {"modificationTime", a.modification_time},
           {"dataChange", a.data_change}};
    if (a.stats)
      o["stats"] = *a.stats;
    if (!a.tags.empty())
      o["tags"] = string_map(a.tags);
    return {{"add", o}};
  }
  json operator()(const remove_action& r) const {
    json o{{"path", r.path}, {"dataChange", r.data_change}};
    if (r.deletion_timestamp)
      o["deletionTimestamp"] = *r.deletion_timestamp;
    if (r.extended_file_metadata)
      o["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition)
      o["partitionValues"] = partition_json(*r.partition);
    if (r.size)
      o["size"] = *r.size;
    if (r.stats)
      o["stats"] = *r.stats;
    return {{"remove", o}};
  }
  json operator()(const txn_action& t) const {
    json o{{"appId", t.app_id}, {"version", t.version}};
    if (t.last_updated)
      o["lastUpdated"] = *t.last_updated;
    return {{"txn", o}};
  }
  json operator()(const commit_info& c) const {
    json o = c.raw.empty() ? json::object() : json::parse(c.raw, nullptr, false);
    if (!o.is_object())
      o = json::object();
    o["timestamp"] = c.timestamp;
    if (!c.operation.empty())
      o["operation"] = c.operation;
    if (!c.operation_parameters.empty())
      o["operationParameters"] = string_map(c.operation_parameters);
    if (!c.operation_metrics.empty())
      o["operationMetrics"] = string_map(c.operation_metrics);
    if (c.read_version)
      o["readVersion"] = *c.read_version;
    if (c.is_blind_append)
      o["isBlindAppend"] = *c.is_blind_append;
    if (!c.engine_info.empty())
      o["engineInfo"] = c.engine_info;
    return {{"commitInfo", o}};
  }
};

error malformed(const std::string& what) {
  return make_lake_error(errc::malformed_log, what);
}

/// Required members throw (`json::exception`, or `std::out_of_range` from `json_value_as`) when absent or
/// mistyped; `parse_action` turns that into `malformed_log`.
template <class T>
T required(const json& o, const char* key) {
  return detail::json_value_as<T>(o.at(key), key);
}

template <class T>
std::optional<T> optional(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null())
    return std::nullopt;
  return detail::json_value_as<T>(*it, key);
}

/// An optional member, or nullopt when it does not have the type asked for (or does not fit it).
template <class T>
std::optional<T> lenient(const json& o, const char* key) {
  try {
    return optional<T>(o, key);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::map<std::string, std::string> read_string_map(const json& o, const char* key) {
  std::map<std::string, std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->is_null())
    return out;
  for (auto e = it->begin(); e != it->end(); ++e)
    if (!e->is_null())
      out[e.key()] = e->is_string() ? e->get<std::string>() : e->dump();
  return out;
}

partition_values read_partition(const json& o) {
  partition_values out;
  for (auto e = o.begin(); e != o.end(); ++e)
    out[e.key()] = e->is_null() ? std::nullopt : std::optional<std::string>{e->get<std::string>()};
  return out;
}

action parse_object(const std::string& kind, const json& o) {
  if (kind == "protocol") {
    protocol_action p;
    p.min_reader_version = required<int32_t>(o, "minReaderVersion");
    p.min_writer_version = required<int32_t>(o, "minWriterVersion");
    p.reader_features = optional<std::vector<std::string>>(o, "readerFeatures").value_or(std::vector<std::string>{});
    p.writer_features = optional<std::vector<std::string>>(o, "writerFeatures").value_or(std::vector<std::string>{});
    return p;
  }
  if (kind == "metaData") {
    metadata_action m;
    m.id = required<std::string>(o, "id");
    m.name = optional<std::string>(o, "name");
    m.description = optional<std::string>(o, "description");
    if (auto f = o.find("format"); f != o.end() && f->is_object()) {
      m.format.provider = f->value("provider", std::string{"parquet"});
      m.format.options = read_string_map(*f, "options");
    }
    m.schema_string = required<std::string>(o, "schemaString");
    m.partition_columns = optional<std::vector<std::string>>(o, "partitionColumns").value_or(std::vector<std::string>{});
    m.created_time = optional<int64_t>(o, "createdTime");
    m.configuration = read_string_map(o, "configuration");
    return m;
  }
  if (kind == "add") {
    add_action a;
    a.path = required<std::string>(o, "path");
    if (auto p = o.find("partitionValues"); p != o.end() && p->is_object())
      a.partition = read_partition(*p);
    a.size = required<int64_t>(o, "size");
    a.modification_time = optional<int64_t>(o, "modificationTime").value_or(0);
    a.data_change = optional<bool>(o, "dataChange").value_or(true);
    a.stats = optional<std::string>(o, "stats");
    a.tags = read_string_map(o, "tags");
    return a;
  }
  if (kind == "remove") {
    remove_action r;
    r.path = required<std::string>(o, "path");
    r.deletion_timestamp = optional<int64_t>(o, "deletionTimestamp");
    r.data_change = optional<bool>(o, "dataChange").value_or(true);
    r.extended_file_metadata = optional<bool>(o, "extendedFileMetadata");
    if (auto p = o.find("partitionValues"); p != o.end() && p->is_object())
      r.partition = read_partition(*p);
    r.size = optional<int64_t>(o, "size");
    r.stats = optional<std::string>(o, "stats");
    return r;
  }
  if (kind == "txn") {
    txn_action t;
    t.app_id = required<std::string>(o, "appId");
    t.version = required<int64_t>(o, "version");
    t.last_updated = optional<int64_t>(o, "lastUpdated");
    return t;
  }
  // Free-form in the protocol: a field another writer filled differently is left out, never an error.
  commit_info c;
  c.timestamp = lenient<int64_t>(o, "timestamp").value_or(0);
  c.operation = lenient<std::string>(o, "operation").value_or("");
  auto object_map = [&o](const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_object() ? read_string_map(o, key) : std::map<std::string, std::string>{};
  };
  c.operation_parameters = object_map("operationParameters");
  c.operation_metrics = object_map("operationMetrics");
  c.read_version = lenient<int64_t>(o, "readVersion");
  c.is_blind_append = lenient<bool>(o, "isBlindAppend");
  c.engine_info = lenient<std::string>(o, "engineInfo").value_or("");
  c.raw = o.dump();
  return c;
}

bool known_kind(const std::string& k) {
  return k == "protocol" || k == "metaData" || k == "add" || k == "remove" || k == "txn" || k == "commitInfo";
}

} // namespace

std::string to_json_line(const action& a) {
  return std::visit(to_json_visitor{}, a).dump();
}

result<std::optional<action>> parse_action(std::string_view line) {
  auto doc = json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return malformed("a log line is not a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!known_kind(it.key()))
      continue;
    if (!it->is_object())
      return malformed("action '" + it.key() + "' is not an object");
    try {
      return std::optional<action>{parse_object(it.key(), *it)};
    } catch (const std::exception& e) { // json::exception, std::out_of_range
      return malformed("action '" + it.key() + "': " + e.what());
    }
  }
  return std::optional<action>{};
}

std::string serialize_commit(const std::vector<action>& actions) {
  std::string out;
  auto emit = [&](const action& a) {
    out += to_json_line(a);
    out += '\n';
  };
  for (const auto& a : actions)
    if (std::holds_alternative<commit_info>(a))
      emit(a);
  for (const auto& a : actions)
    if (!std::holds_alternative<commit_info>(a))
      emit(a);
  return out;
}

result<std::vector<action>> parse_commit(std::string_view text) {
  std::vector<action> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      continue;
    auto a = parse_action(line);
    if (!a.ok())
      return a.err();
    if (*a)
      out.push_back(std::move(**a));
  }
  return out;
}

std::string encode_path(std::string_view path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                c == '.' || c == '~' || c == '/' || c == '=';
    if (safe) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string decode_path(std::string_view uri) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(uri.size());
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      int hi = nibble(uri[i + 1]), lo = nibble(uri[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += uri[i];
  }
  return out;
}

} // namespace freshet::lake
