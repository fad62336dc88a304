#include "services/compaction/table_sink.hpp"

#include "common/base/clock.hpp"
#include "common/event/json_codec.hpp"
#include "common/lake/detail/conversions.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/file_stats.hpp"
#include "common/log/logger.hpp"

namespace freshet::compaction {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("compaction.lake");
  return l;
}

/// The table's current columns, with what the spec's (Avro-derived) columns know beyond Delta —
/// defaults and timestamp units — wherever the two agree.
lake::table_schema annotated(const lake::table_schema& current, const lake::table_schema& spec) {
  auto out = current;
  for (auto& c : out)
    if (const auto* s = lake::find_column(spec, c.name); s && s->type == c.type && s->nullable == c.nullable)
      c = *s;
  return out;
}

} // namespace

result<std::unique_ptr<table_sink>> table_sink::open(const sink_table& def, const sink_options& options,
                                                     lake_probe& probe) {
  std::unique_ptr<table_sink> t{new table_sink(def, options, probe)};
  lake::table_definition d;
  d.schema = def.columns;
  if (!def.partition_column.empty())
    d.partition_columns = {def.partition_column};
  d.configuration = {{"delta.checkpointInterval", "10"}};
  d.name = def.name;
  auto table = lake::table::create_or_open(options.lake_dir + "/" + def.name, d);
  if (!table)
    return table.err();
  t->table_ = std::move(*table);
  const auto& current = t->table_->latest().schema();
  if (!(current == def.columns)) {
    auto evolved = t->table_->evolve_schema(def.columns);
    if (evolved)
      FRESHET_LOG(info, logger(), "table {}: schema evolved to the stream's (version {})", def.name, *evolved);
    else
      FRESHET_LOG(warn, logger(), "table {}: keeps its schema ({}); new fields land in no column", def.name,
                  evolved.err().message);
  }
  const auto& partitions = t->table_->latest().metadata().partition_columns;
  t->data_columns_ = lake::without_columns(annotated(t->table_->latest().schema(), def.columns), partitions);
  for (size_t i = 0; i < t->data_columns_.size(); ++i) {
    t->known_top_level_.insert(t->data_columns_[i].name);
    if (def.extras && t->data_columns_[i].name == extra_column)
      t->extra_index_ = i;
  }
  for (const auto& p : partitions)
    t->known_top_level_.insert(p);
  for (size_t i = 0; i < t->data_columns_.size(); ++i)
    t->column_index_[t->data_columns_[i].name] = i;
  t->mapper_ = std::make_unique<lake::row_mapper>(t->data_columns_);
  t->decoder_ = std::make_unique<lake::json_row_decoder>(t->data_columns_, def.event_time_field, def.extras);
  t->last_commit_ms_ = now_ms();
  return t;
}

table_sink::~table_sink() {
  abort();
}

std::optional<int64_t> table_sink::txn(const std::string& app_id) const {
  return table_->latest().txn_version(app_id);
}

parquet::value table_sink::extras_of(const event::record& rec) const {
  std::vector<std::pair<parquet::value, parquet::value>> extras;
  for (const auto& [path, v] : rec.fields()) {
    auto top = path.substr(0, path.find('.'));
    if (!known_top_level_.contains(top) && !event::is_null(v))
      extras.emplace_back(parquet::value::bytes(path), parquet::value::bytes(event::as_text(v)));
  }
  return extras.empty() ? parquet::value{} : parquet::value::map(std::move(extras));
}

result<parquet::row> table_sink::row_of(const routed_record& r, int64_t& event_time_ms) {
  event_time_ms = r.event_time_ms;
  if (r.json.empty()) {
    auto row = mapper_->map(r.rec);
    if (row && extra_index_)
      (*row)[*extra_index_] = extras_of(r.rec);
    return row;
  }
  parquet::row row;
  if (decoder_->decode(r.json, scratch_) == lake::json_row_decoder::outcome::ok) {
    row = std::move(scratch_.row);
    if (scratch_.captured)
      event_time_ms = *scratch_.captured;
    if (extra_index_) {
      std::vector<std::pair<parquet::value, parquet::value>> extras;
      for (auto& [path, text] : scratch_.extras)
        extras.emplace_back(parquet::value::bytes(std::move(path)), parquet::value::bytes(std::move(text)));
      row[*extra_index_] = extras.empty() ? parquet::value{} : parquet::value::map(std::move(extras));
    }
  } else { // the record path: authoritative for everything the fast path leaves
    auto rec = event::decode_json(r.json);
    if (!rec)
      return make_error(error_domain::decode, rec.err().code, rec.err().message);
    for (const auto& [name, v] : r.overrides)
      rec->set(name, v);
    if (!def_.event_time_field.empty())
      if (const auto* v = rec->get(def_.event_time_field)) {
        if (const auto* i = std::get_if<int64_t>(v))
          event_time_ms = *i;
        else if (const auto* d = std::get_if<double>(v))
          event_time_ms = static_cast<int64_t>(*d);
      }
    auto mapped = mapper_->map(*rec);
    if (!mapped)
      return mapped.err();
    row = std::move(*mapped);
    if (extra_index_)
      row[*extra_index_] = extras_of(*rec);
    return row;
  }
  for (const auto& [name, v] : r.overrides) {
    auto it = column_index_.find(name);
    if (it == column_index_.end())
      continue;
    const auto& c = data_columns_[it->second];
    auto converted = lake::detail::convert_event(v, c.type, c.nullable, c.name);
    if (!converted)
      return converted.err();
    row[it->second] = std::move(*converted);
  }
  return row;
}

status table_sink::append(const routed_record& r, int64_t now_ms) {
  int64_t event_time_ms = 0;
  auto row = row_of(r, event_time_ms);
  if (!row)
    return row.err();
  const auto& partitions = table_->latest().metadata().partition_columns;
  lake::partition_values values;
  std::string key;
  if (!partitions.empty()) {
    const int32_t day = lake::utc_day(event_time_ms);
    if (day != last_day_) {
      last_day_ = day;
      last_key_ = lake::format_date(day);
    }
    key = last_key_;
    values[partitions.front()] = key;
  }
  auto it = files_.find(key);
  if (it == files_.end()) {
    auto w = lake::data_file_writer::open(table_->root(), partitions, values, data_columns_, options_.parquet);
    if (!w)
      return w.err();
    it = files_.emplace(key, open_file{std::move(*w), now_ms}).first;
  }
  FRESHET_TRY(it->second.writer->append(*row));
  probe_.rows_buffered(def_.name, 1);
  return {};
}

bool table_sink::roll_due(int64_t now_ms) const {
  if (files_.empty())
    return false;
  if (files_.size() > options_.max_open_files)
    return true;
  for (const auto& [key, f] : files_)
    if (f.writer->estimated_bytes() >= options_.roll_bytes || now_ms - f.first_row_ms >= options_.roll_ms)
      return true;
  return false;
}

bool table_sink::progress_due(int64_t now_ms, const std::map<std::string, int64_t>& progress) const {
  if (!files_.empty() || now_ms - last_commit_ms_ < options_.idle_commit_ms)
    return false;
  for (const auto& [app, offset] : progress) {
    auto v = txn(app);
    if (!v || offset > *v)
      return true;
  }
  return false;
}

uint64_t table_sink::open_bytes() const {
  uint64_t n = 0;
  for (const auto& [key, f] : files_)
    n += f.writer->estimated_bytes();
  return n;
}

result<bool> table_sink::commit(const std::map<std::string, int64_t>& progress, int64_t now_ms,
                                const std::string& source_topic) {
  const auto started = mono_ns();
  auto tx = table_->begin();
  int64_t rows = 0, bytes = 0;
  std::vector<std::string> written; // absolute paths of closed files, for cleanup on a sure failure
  for (auto& [key, f] : files_) {
    rows += f.writer->rows();
    auto add = f.writer->close();
    if (!add) {
      files_.clear(); // the destructors drop the other files
      probe_.commit_failed(def_.name, "storage");
      return add.err();
    }
    bytes += add->size;
    written.push_back(table_->root() + "/" + f.writer->relative_path());
    tx.adds.push_back(std::move(*add));
  }
  files_.clear();
  for (const auto& [app, offset] : progress) {
    auto current = txn(app);
    tx.expected_txns[app] = current;
    if (!current || offset > *current)
      tx.txns.push_back({app, offset, now_ms});
  }
  if (tx.adds.empty() && tx.txns.empty())
    return false;
  tx.info.operation = "STREAMING UPDATE";
  tx.info.operation_parameters = {{"outputMode", "Append"}, {"queryId", options_.group}, {"source", source_topic}};
  tx.info.operation_metrics = {{"numAddedFiles", std::to_string(tx.adds.size())},
                               {"numOutputRows", std::to_string(rows)},
                               {"numOutputBytes", std::to_string(bytes)}};
  const bool data = !tx.adds.empty();
  auto r = table_->commit(std::move(tx));
  if (!r) {
    // A conflict means nothing of ours is in the log: the files can go. Any other failure may have
    // left the commit in place (e.g. the folder fsync failed after the link), so they stay; the
    // resync reads the txn versions to learn which it was, and VACUUM removes true orphans.
    bool conflict = lake::is(r.err(), lake::errc::conflict);
    if (conflict)
      for (const auto& path : written)
        std::remove(path.c_str());
    probe_.commit_failed(def_.name, conflict ? "conflict" : lake::is(r.err(), lake::errc::storage) ? "storage" : "other");
    return r.err();
  }
  last_commit_ms_ = now_ms;
  if (data)
    probe_.committed(def_.name, static_cast<int64_t>(written.size()), rows, bytes,
                     static_cast<double>(mono_ns() - started) / 1e9, r->attempts);
  else
    probe_.progress_committed(def_.name);
  if (r->checkpointed)
    probe_.checkpointed(def_.name);
  return true;
}

void table_sink::abort() {
  for (auto& [key, f] : files_)
    f.writer->abandon();
  files_.clear();
}

status table_sink::refresh() {
  auto r = table_->refresh();
  if (!r)
    return r.err();
  return {};
}

} // namespace freshet::compaction
