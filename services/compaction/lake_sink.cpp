#include "services/compaction/lake_sink.hpp"

#include "common/lake/errc.hpp"
#include "common/log/logger.hpp"

namespace freshet::compaction {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("compaction.lake");
  return l;
}

constexpr int64_t offset_beginning = -2;

} // namespace

lake_sink::lake_sink(sink_options options, lake_probe& probe, reject_fn reject, flush_fn before_commit)
    : options_(std::move(options)), probe_(probe), reject_(std::move(reject)), before_commit_(std::move(before_commit)) {}

lake_sink::~lake_sink() = default;

status lake_sink::add_source(const std::string& topic, std::unique_ptr<record_router> router) {
  auto& s = sources_[topic];
  s.router = std::move(router);
  for (auto& def : s.router->initial_tables()) {
    auto t = table_sink::open(def, options_, probe_);
    if (!t)
      return make_error(t.err().domain, t.err().code, "table " + def.name + ": " + t.err().message, t.err().retriable);
    FRESHET_LOG(info, logger(), "table {} at version {} ({} files) takes {}", def.name,
                (*t)->table().latest().version(), (*t)->table().latest().files().size(), topic);
    s.tables[def.name] = std::move(*t);
  }
  return {};
}

std::vector<std::string> lake_sink::topics() const {
  std::vector<std::string> out;
  for (const auto& [topic, s] : sources_)
    out.push_back(topic);
  return out;
}

std::string lake_sink::app_id(const kafka::topic_partition& tp) const {
  return options_.group + "-" + tp.topic + "-" + std::to_string(tp.partition);
}

std::map<kafka::topic_partition, int64_t> lake_sink::start_offsets(const std::vector<kafka::topic_partition>& parts) const {
  std::map<kafka::topic_partition, int64_t> out;
  for (const auto& tp : parts) {
    auto it = sources_.find(tp.topic);
    if (it == sources_.end())
      continue;
    const auto app = app_id(tp);
    std::optional<int64_t> start;
    bool from_beginning = it->second.tables.empty();
    for (const auto& [name, t] : it->second.tables) {
      auto v = t->txn(app);
      if (!v) {
        from_beginning = true;
        break;
      }
      start = std::min(start.value_or(*v + 1), *v + 1);
    }
    out[tp] = from_beginning || !start ? offset_beginning : *start;
  }
  return out;
}

std::vector<kafka::partition_offset> lake_sink::safe_positions(const std::vector<kafka::topic_partition>& parts) const {
  std::vector<kafka::partition_offset> out;
  for (const auto& [tp, start] : start_offsets(parts))
    if (start >= 0)
      out.push_back({tp, start});
  return out;
}

result<table_sink*> lake_sink::table_for(source& s, const std::string& name) {
  if (auto it = s.tables.find(name); it != s.tables.end())
    return it->second.get();
  auto def = s.router->discover(name);
  if (!def)
    return static_cast<table_sink*>(nullptr);
  auto t = table_sink::open(*def, options_, probe_);
  if (!t)
    return t.err();
  FRESHET_LOG(info, logger(), "new table {}", name);
  auto* raw = t->get();
  s.tables[name] = std::move(*t);
  return raw;
}

status lake_sink::process(std::span<const kafka::consumed_record> batch, int64_t now_ms) {
  int64_t skipped = 0;
  for (const auto& rec : batch) {
    auto it = sources_.find(rec.topic);
    if (it == sources_.end())
      continue;
    auto& s = it->second;
    const kafka::topic_partition tp{rec.topic, rec.partition};
    auto routed = s.router->route(rec);
    std::optional<rejected_record> rejected;
    if (auto* r = std::get_if<rejected_record>(&routed)) {
      rejected = std::move(*r);
    } else {
      auto& rr = std::get<routed_record>(routed);
      auto t = table_for(s, rr.table);
      if (!t)
        return t.err();
      if (!*t) {
        rejected = rejected_record{"unknown_table", "no table for " + rr.table};
      } else if ((*t)->has(app_id(tp), rec.offset)) {
        ++skipped;
      } else if (auto st = (*t)->append(rr, now_ms); !st.ok()) {
        if (st.err().domain == error_domain::decode)
          rejected = rejected_record{"undecodable", st.err().message};
        else if (lake::is(st.err(), lake::errc::schema_mismatch))
          rejected = rejected_record{"schema_mismatch", st.err().message};
        else
          return st.err();
      }
    }
    if (rejected) {
      // A replayed record that some table already covers was rejected the first time round too.
      bool replay = false;
      for (const auto& [name, t] : s.tables)
        replay = replay || t->has(app_id(tp), rec.offset);
      if (!replay) {
        probe_.rejected(rejected->reason);
        FRESHET_TRY(reject_(rec, *rejected));
      }
    }
    progress_[tp] = rec.offset;
  }
  if (skipped)
    probe_.skipped(skipped);
  report_open_files();
  return {};
}

std::map<std::string, int64_t> lake_sink::progress_of(const std::string& topic) const {
  std::map<std::string, int64_t> out;
  for (const auto& [tp, offset] : progress_)
    if (tp.topic == topic)
      out[app_id(tp)] = offset;
  return out;
}

result<size_t> lake_sink::commit_due(int64_t now_ms, bool force) {
  size_t commits = 0;
  bool flushed = false;
  for (auto& [topic, s] : sources_) {
    auto progress = progress_of(topic);
    for (auto& [name, t] : s.tables) {
      bool due = (force && t->has_open_files()) || t->roll_due(now_ms) || t->progress_due(now_ms, progress);
      if (!due)
        continue;
      if (!flushed) {
        FRESHET_TRY(before_commit_());
        flushed = true;
      }
      auto r = t->commit(progress, now_ms, topic);
      if (!r) {
        FRESHET_LOG(warn, logger(), "table {}: commit failed: {}", name, r.err().describe());
        return r.err();
      }
      commits += *r ? 1 : 0;
    }
  }
  report_open_files();
  return commits;
}

void lake_sink::forget(const std::vector<kafka::topic_partition>& parts) {
  for (const auto& tp : parts)
    progress_.erase(tp);
}

void lake_sink::reset() {
  for (auto& [topic, s] : sources_)
    for (auto& [name, t] : s.tables)
      t->abort();
  progress_.clear();
  report_open_files();
}

status lake_sink::refresh() {
  for (auto& [topic, s] : sources_)
    for (auto& [name, t] : s.tables)
      FRESHET_TRY(t->refresh());
  return {};
}

size_t lake_sink::table_count() const {
  size_t n = 0;
  for (const auto& [topic, s] : sources_)
    n += s.tables.size();
  return n;
}

bool lake_sink::has_open_files() const {
  for (const auto& [topic, s] : sources_)
    for (const auto& [name, t] : s.tables)
      if (t->has_open_files())
        return true;
  return false;
}

void lake_sink::report_open_files() {
  int64_t files = 0, bytes = 0;
  for (const auto& [topic, s] : sources_)
    for (const auto& [name, t] : s.tables) {
      files += static_cast<int64_t>(t->open_files());
      bytes += static_cast<int64_t>(t->open_bytes());
    }
  probe_.open_files(files, bytes);
}

} // namespace freshet::compaction
