#include "common/lake/table.hpp"

#include "common/base/clock.hpp"
#include "common/lake/detail/uuid.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_paths.hpp"
#include "common/log/logger.hpp"

namespace freshet::lake {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("lake");
  return l;
}

} // namespace

result<std::unique_ptr<table>> table::open(const std::string& root, table_options options) {
  auto store = local_log_store(root, /*create=*/false);
  if (!store.ok())
    return store.err();
  return open(std::move(*store), root, std::move(options));
}

result<std::unique_ptr<table>> table::open(std::shared_ptr<log_store> store, std::string root, table_options options) {
  auto s = load_snapshot(*store);
  if (!s.ok())
    return s.err();
  return std::unique_ptr<table>{new table(std::move(store), std::move(root), std::move(options), std::move(*s))};
}

result<std::unique_ptr<table>> table::create_or_open(const std::string& root, const table_definition& def,
                                                     table_options options) {
  for (const auto& p : def.partition_columns)
    if (!find_column(def.schema, p))
      return make_lake_error(errc::invalid_argument, "partition column '" + p + "' is not in the schema");
  auto store = local_log_store(root, /*create=*/true);
  if (!store.ok())
    return store.err();
  auto listing = list_log(**store);
  if (!listing.ok())
    return listing.err();
  if (!listing->latest_version()) {
    metadata_action m;
    m.id = detail::new_uuid();
    m.name = def.name;
    m.description = def.description;
    m.schema_string = to_schema_string(def.schema);
    m.partition_columns = def.partition_columns;
    m.created_time = now_ms();
    m.configuration = def.configuration;
    commit_info info;
    info.timestamp = now_ms();
    info.operation = "CREATE TABLE";
    std::string partition_by = "[";
    for (size_t i = 0; i < def.partition_columns.size(); ++i)
      partition_by += (i ? ",\"" : "\"") + def.partition_columns[i] + "\"";
    info.operation_parameters = {{"partitionBy", partition_by + "]"}, {"mode", "ErrorIfExists"}};
    info.engine_info = options.engine_info;
    info.is_blind_append = true;
    std::vector<action> actions{info, protocol_action{}, m};
    auto st = (*store)->put_if_absent(commit_file(0), serialize_commit(actions));
    if (!st.ok() && !is(st.err(), errc::version_taken))
      return st.err();
    if (st.ok())
      FRESHET_LOG(info, logger(), "created table {} ({} columns, partitioned by {})", root, def.schema.size(),
                  partition_by + "]");
  }
  auto t = open(std::move(*store), root, std::move(options));
  if (!t.ok())
    return t.err();
  if ((*t)->latest().metadata().partition_columns != def.partition_columns)
    return make_lake_error(errc::invalid_argument, root + " exists with other partition columns");
  return t;
}

result<int64_t> table::refresh() {
  return update_snapshot(*store_, snapshot_);
}

result<snapshot> table::snapshot_at(int64_t version) const {
  return load_snapshot(*store_, version);
}

result<snapshot> table::snapshot_at_timestamp(int64_t timestamp_ms, timestamp_source source) const {
  auto v = version_at(timestamp_ms, source);
  if (!v.ok())
    return v.err();
  return snapshot_at(*v);
}

result<int64_t> table::version_at(int64_t timestamp_ms, timestamp_source source) const {
  return lake::version_at(*store_, timestamp_ms, source);
}

result<std::vector<history_entry>> table::history(size_t limit) const {
  return read_history(*store_, limit);
}

transaction table::begin() const {
  transaction t;
  t.read_version = snapshot_.version();
  return t;
}

int64_t table::checkpoint_interval() const {
  const auto& conf = snapshot_.metadata().configuration;
  if (auto it = conf.find("delta.checkpointInterval"); it != conf.end()) {
    try {
      auto n = std::stoll(it->second);
      if (n > 0)
        return n;
    } catch (const std::exception&) {
    }
  }
  return 10;
}

std::vector<action> table::commit_actions(const transaction& t) const {
  std::vector<action> out;
  commit_info info = t.info;
  info.timestamp = now_ms();
  info.read_version = t.read_version;
  info.is_blind_append = t.blind_append();
  if (info.engine_info.empty())
    info.engine_info = options_.engine_info;
  if (info.operation.empty())
    info.operation = "WRITE";
  out.emplace_back(std::move(info));
  if (t.protocol)
    out.emplace_back(*t.protocol);
  if (t.metadata)
    out.emplace_back(*t.metadata);
  for (const auto& x : t.txns)
    out.emplace_back(x);
  for (const auto& a : t.adds)
    out.emplace_back(a);
  for (const auto& r : t.removes)
    out.emplace_back(r);
  return out;
}

status table::catch_up(const transaction& t) {
  auto listing = list_log(*store_);
  if (!listing.ok())
    return listing.err();
  const int64_t latest = listing->latest_version().value_or(-1);
  for (int64_t v = snapshot_.version() + 1; v <= latest; ++v) {
    auto winner = read_commit(*store_, v);
    if (!winner.ok())
      return winner.err();
    FRESHET_TRY(check_conflict(t, v, *winner));
    FRESHET_TRY(snapshot_.apply(v, *winner));
  }
  return {};
}

result<commit_result> table::commit(transaction t) {
  FRESHET_TRY(snapshot_.check_writable());
  if (t.empty())
    return make_lake_error(errc::invalid_argument, "an empty commit");
  if (t.protocol && (t.protocol->min_reader_version > 1 || t.protocol->min_writer_version > 2))
    return make_lake_error(errc::unsupported, "this library writes protocol 1/2 tables only");
  // Commits this handle already knows but the transaction did not read: check them too.
  for (int64_t v = t.read_version + 1; v <= snapshot_.version(); ++v) {
    auto winner = read_commit(*store_, v);
    if (!winner.ok())
      return winner.err();
    FRESHET_TRY(check_conflict(t, v, *winner));
  }
  commit_result res;
  for (res.attempts = 1; res.attempts <= options_.max_commit_attempts; ++res.attempts) {
    const int64_t version = snapshot_.version() + 1;
    auto actions = commit_actions(t);
    auto st = store_->put_if_absent(commit_file(version), serialize_commit(actions));
    if (st.ok()) {
      FRESHET_TRY(snapshot_.apply(version, actions));
      res.version = version;
      if (version > 0 && version % checkpoint_interval() == 0) {
        if (auto cp = write_checkpoint(); cp.ok())
          res.checkpointed = true;
        else // the commit stands; the next interval writes the next checkpoint
          FRESHET_LOG(warn, logger(), "{}: checkpoint {} failed: {}", root_, version, cp.err().describe());
      }
      return res;
    }
    if (!is(st.err(), errc::version_taken))
      return st.err();
    FRESHET_TRY(catch_up(t));
  }
  return make_lake_error(errc::version_taken, root_ + ": lost " + std::to_string(options_.max_commit_attempts) +
                                                " commit races in a row");
}

result<int64_t> table::evolve_schema(const table_schema& schema) {
  const auto& current = snapshot_.schema();
  if (schema == current)
    return snapshot_.version();
  for (const auto& c : current) {
    const auto* n = find_column(schema, c.name);
    if (!n || !(n->type == c.type) || n->nullable != c.nullable)
      return make_lake_error(errc::invalid_argument, "column '" + c.name + "' would change or vanish");
  }
  for (const auto& n : schema)
    if (!find_column(current, n.name) && !n.nullable)
      return make_lake_error(errc::invalid_argument, "new column '" + n.name + "' must be nullable");
  auto t = begin();
  auto m = snapshot_.metadata();
  m.schema_string = to_schema_string(schema);
  t.metadata = std::move(m);
  t.info.operation = "ADD COLUMNS";
  auto r = commit(std::move(t));
  if (!r.ok())
    return r.err();
  return r->version;
}

status table::write_checkpoint() {
  auto cp = lake::write_checkpoint(snapshot_, options_.checkpoint);
  if (!cp.ok())
    return cp.err();
  FRESHET_TRY(store_->put(checkpoint_file(snapshot_.version()), cp->bytes));
  auto last = store_->read(last_checkpoint_file);
  if (last.ok() && *last) {
    auto info = parse_last_checkpoint(**last);
    if (info.ok() && info->version >= snapshot_.version())
      return {};
  }
  return store_->put(last_checkpoint_file, last_checkpoint_json(cp->info));
}

} // namespace freshet::lake
