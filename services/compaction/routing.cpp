#include "services/compaction/routing.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

#include "common/event/json_codec.hpp"
#include "common/lake/avro_mapping.hpp"

namespace freshet::compaction {

namespace {

using k = lake::data_type::kind;

result<std::string> read_text(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return make_error(error_domain::config, 41, "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// The schema's columns plus the sink's own, checked for clashes.
result<sink_table> table_from_avsc(const std::string& name, const std::string& avsc_file,
                                   std::vector<lake::struct_field> extra_columns, const std::string& partition_column,
                                   bool extras) {
  auto text = read_text(avsc_file);
  if (!text)
    return text.err();
  auto columns = lake::table_schema_from_avsc(*text);
  if (!columns)
    return make_error(columns.err().domain, columns.err().code, "table " + name + ": " + columns.err().message);
  sink_table t{name, std::move(*columns), partition_column, extras, {}};
  for (auto& c : extra_columns)
    t.columns.push_back(std::move(c));
  if (extras)
    t.columns.push_back(lake::column(extra_column, lake::map_of(lake::primitive(k::string), lake::primitive(k::string))));
  if (!partition_column.empty())
    t.columns.push_back(lake::column(partition_column, lake::primitive(k::date)));
  for (size_t i = 0; i < t.columns.size(); ++i)
    for (size_t j = i + 1; j < t.columns.size(); ++j)
      if (t.columns[i].name == t.columns[j].name)
        return make_error(error_domain::config, 42,
                          "table " + name + ": the schema already has a column named '" + t.columns[i].name + "'");
  return t;
}

std::optional<int64_t> number_ms(const event::value* v) {
  if (!v)
    return std::nullopt;
  if (const auto* i = std::get_if<int64_t>(v))
    return *i;
  if (const auto* d = std::get_if<double>(v))
    return static_cast<int64_t>(*d);
  return std::nullopt;
}

std::optional<int64_t> header_int(const kafka::consumed_record& r, const char* name) {
  const auto* h = r.find_header(name);
  if (!h || h->empty())
    return std::nullopt;
  try {
    size_t used = 0;
    auto v = std::stoll(*h, &used);
    if (used == h->size())
      return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

class event_router final : public record_router {
 public:
  struct route_info {
    std::string table;
    std::string event_time_field;
  };

  route_result route(const kafka::consumed_record& r) override {
    const auto* stream = r.find_header(kafka::headers::stream);
    if (!stream)
      return rejected_record{"undecodable", "no freshet.stream header"};
    auto it = routes_.find(*stream);
    if (it == routes_.end())
      return rejected_record{"unknown_stream", "stream '" + *stream + "' has no table"};
    if (r.tombstone || r.value.empty())
      return rejected_record{"undecodable", "the value is empty"};
    if (r.value[0] == '\0')
      return rejected_record{"unsupported_format", "Confluent-framed Avro needs the schema registry, not wired into "
                                                   "the lake sink yet"};
    routed_record out;
    out.table = it->second.table;
    out.json = r.value;
    const auto* id = r.find_header(kafka::headers::event_id);
    auto ingest = header_int(r, kafka::headers::ingest_ts);
    out.overrides = {{event_id_column, id ? event::value{*id} : event::value{}},
                     {ingest_ts_column, ingest ? event::value{*ingest} : event::value{}}};
    out.event_time_ms = ingest.value_or(r.timestamp_ms);
    return out;
  }

  std::vector<sink_table> initial_tables() override { return tables_; }
  std::optional<sink_table> discover(const std::string&) override { return std::nullopt; }

  std::map<std::string, route_info> routes_;
  std::vector<sink_table> tables_;
};

class json_decoder final : public rollup_decoder {
 public:
  result<rollup_record> decode(const kafka::consumed_record& r) override {
    auto rec = event::decode_json(r.value);
    if (!rec)
      return rec.err();
    rollup_record out;
    const auto* metric = rec->get("metric");
    if (!metric || !std::holds_alternative<std::string>(*metric))
      return make_error(error_domain::decode, 3, "a rollup needs a metric name");
    out.metric = std::get<std::string>(*metric);
    auto start = number_ms(rec->get("window_start"));
    if (!start)
      return make_error(error_domain::decode, 3, "a rollup needs window_start (epoch ms)");
    out.window_start_ms = *start;
    for (const auto& [path, v] : rec->fields())
      if (path != "metric")
        out.fields.set(path, v);
    return out;
  }
};

class rollup_router final : public record_router {
 public:
  rollup_router(rollup_tables_spec spec, std::string lake_dir, std::unique_ptr<rollup_decoder> decoder)
      : spec_(std::move(spec)), lake_dir_(std::move(lake_dir)), decoder_(std::move(decoder)) {}

  route_result route(const kafka::consumed_record& r) override {
    auto rollup = decoder_->decode(r);
    if (!rollup)
      return rejected_record{"undecodable", rollup.err().message};
    routed_record out;
    out.table = table_name(rollup->metric);
    out.rec = std::move(rollup->fields);
    out.event_time_ms = rollup->window_start_ms;
    return out;
  }

  std::vector<sink_table> initial_tables() override {
    std::vector<sink_table> out;
    std::set<std::string> names;
    for (const auto& m : spec_.metrics)
      if (auto t = discover(table_name(m.metric))) {
        names.insert(t->name);
        out.push_back(std::move(*t));
      }
    // Metric tables an earlier run created: their txn versions matter for where to resume.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(lake_dir_, ec)) {
      auto name = entry.path().filename().string();
      if (name.starts_with(prefix) && std::filesystem::is_directory(entry.path() / "_delta_log") && !names.contains(name))
        if (auto t = discover(name))
          out.push_back(std::move(*t));
    }
    return out;
  }

  std::optional<sink_table> discover(const std::string& table) override {
    if (!table.starts_with(prefix))
      return std::nullopt;
    auto metric = table.substr(std::string_view{prefix}.size());
    for (const auto& m : spec_.metrics) {
      if (m.metric != metric || m.schema_file.empty())
        continue;
      auto t = table_from_avsc(table, m.schema_file, {}, "date", true);
      if (t)
        return std::move(*t);
      return std::nullopt;
    }
    bool declared = std::any_of(spec_.metrics.begin(), spec_.metrics.end(),
                                [&](const rollup_table_spec& m) { return m.metric == metric; });
    if (!declared && !spec_.auto_create)
      return std::nullopt;
    return sink_table{table, generic_rollup_columns(), "date", true, {}};
  }

 private:
  static constexpr const char* prefix = "rollup_";
  static std::string table_name(const std::string& metric) { return prefix + metric; }

  rollup_tables_spec spec_;
  std::string lake_dir_;
  std::unique_ptr<rollup_decoder> decoder_;
};

} // namespace

result<std::unique_ptr<record_router>> make_event_router(const config::pipeline_spec& spec,
                                                         const std::vector<event_table_spec>& tables) {
  auto r = std::make_unique<event_router>();
  for (const auto& t : tables) {
    const auto* stream = spec.stream(t.stream);
    if (!stream)
      return make_error(error_domain::config, 43, "table " + t.name + ": no stream " + t.stream);
    std::vector<lake::struct_field> added{lake::column(event_id_column, lake::primitive(k::string)),
                                          lake::column(ingest_ts_column, lake::primitive(k::timestamp))};
    auto table = table_from_avsc(t.name, t.schema_file, std::move(added), t.partition_by, t.extras);
    if (!table)
      return table.err();
    table->event_time_field = stream->event_time_field;
    r->routes_[t.stream] = {t.name, stream->event_time_field};
    r->tables_.push_back(std::move(*table));
  }
  return std::unique_ptr<record_router>{std::move(r)};
}

std::unique_ptr<rollup_decoder> json_rollup_decoder() {
  return std::make_unique<json_decoder>();
}

lake::table_schema generic_rollup_columns() {
  return {lake::column("window_start", lake::primitive(k::timestamp), false),
          lake::column("window_end", lake::primitive(k::timestamp)),
          lake::column("dimensions", lake::map_of(lake::primitive(k::string), lake::primitive(k::string))),
          lake::column("measures", lake::map_of(lake::primitive(k::string), lake::primitive(k::double_))),
          lake::column("revision", lake::primitive(k::long_)),
          lake::column("kind", lake::primitive(k::string)),
          lake::column("source_partition", lake::primitive(k::integer)),
          lake::column("watermark", lake::primitive(k::timestamp)),
          lake::column("emitted_at", lake::primitive(k::timestamp)),
          lake::column(extra_column, lake::map_of(lake::primitive(k::string), lake::primitive(k::string))),
          lake::column("date", lake::primitive(k::date))};
}

result<std::unique_ptr<record_router>> make_rollup_router(const rollup_tables_spec& spec, std::string lake_dir,
                                                          std::unique_ptr<rollup_decoder> decoder) {
  for (const auto& m : spec.metrics)
    if (!m.schema_file.empty()) {
      auto t = table_from_avsc("rollup_" + m.metric, m.schema_file, {}, "date", true);
      if (!t)
        return t.err();
    }
  return std::unique_ptr<record_router>{std::make_unique<rollup_router>(spec, std::move(lake_dir), std::move(decoder))};
}

} // namespace freshet::compaction
