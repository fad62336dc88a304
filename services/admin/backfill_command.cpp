// freshet-admin backfill: a stream's Delta table (the rows added between two versions or times, or
// the whole table as of one) replayed into a topic of its own, in the enriched topic's record
// format, so that a second freshet-aggregate can recompute rollups from it (docs/backfill.md).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/admin.hpp"
#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "common/kafka/record.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/table_rows.hpp"
#include "services/admin/lake_commands.hpp"

namespace freshet::admin {

namespace {

int fail(const std::string& msg, int code) {
  std::fprintf(stderr, "freshet-admin backfill: %s\n", msg.c_str());
  return code;
}

/// The lake sink's own columns (services/compaction/routing.hpp): they become headers or fields again.
constexpr const char* event_id_column = "_event_id";
constexpr const char* ingest_ts_column = "_ingest_ts";
constexpr const char* extra_column = "_extra";

/// `_extra` keeps fields the schema lacks as dotted paths with their text: back to nested fields.
/// Text that is JSON (numbers, booleans, arrays) becomes that value again, other text a string.
void put_extra(nlohmann::json& event, const std::string& path, const std::string& text) {
  nlohmann::json* node = &event;
  size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; start = dot + 1, dot = path.find('.', start)) {
    auto& child = (*node)[path.substr(start, dot - start)];
    if (!child.is_object())
      child = nlohmann::json::object();
    node = &child;
  }
  auto value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded() || value.is_string() || value.is_object() || value.is_null())
    value = text;
  (*node)[path.substr(start)] = std::move(value);
}

const nlohmann::json* field_at(const nlohmann::json& event, const std::string& path) {
  const nlohmann::json* node = &event;
  size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    auto name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(name))
      return nullptr;
    node = &(*node)[name];
    if (dot == std::string::npos)
      return node;
    start = dot + 1;
  }
}

struct event_format {
  std::string topic, stream, backfill_id, key_field, event_time_field;
  std::vector<std::string> partition_columns;
};

/// A table row as the enriched topic carries the event: the JSON value, keyed by the stream's key,
/// with `freshet.stream`, `freshet.event_id`, `freshet.ingest_ts` headers; the event time as the
/// record's timestamp.
kafka::outgoing_record to_record(nlohmann::json row, const event_format& f) {
  kafka::outgoing_record rec;
  rec.topic = f.topic;
  rec.headers.push_back({kafka::headers::stream, f.stream});
  std::string event_id;
  if (auto it = row.find(event_id_column); it != row.end()) {
    if (it->is_string())
      event_id = it->get<std::string>();
    row.erase(it);
  }
  int64_t ingest_ts = 0;
  if (auto it = row.find(ingest_ts_column); it != row.end()) {
    if (it->is_number_integer())
      ingest_ts = it->get<int64_t>();
    row.erase(it);
  }
  nlohmann::json extras;
  if (auto it = row.find(extra_column); it != row.end()) {
    extras = std::move(*it);
    row.erase(it);
  }
  for (const auto& c : f.partition_columns)
    row.erase(c);
  if (extras.is_object())
    for (const auto& [path, text] : extras.items())
      if (text.is_string() && !row.contains(path))
        put_extra(row, path, text.get<std::string>());
  if (!event_id.empty())
    rec.headers.push_back({kafka::headers::event_id, event_id});
  if (ingest_ts != 0)
    rec.headers.push_back({kafka::headers::ingest_ts, std::to_string(ingest_ts)});
  rec.headers.push_back({"freshet.backfill", f.backfill_id});
  if (const auto* t = f.event_time_field.empty() ? nullptr : field_at(row, f.event_time_field);
      t && t->is_number_integer())
    rec.timestamp_ms = t->get<int64_t>();
  else
    rec.timestamp_ms = ingest_ts;
  const auto* key = f.key_field.empty() ? nullptr : field_at(row, f.key_field);
  rec.key = key ? (key->is_string() ? key->get<std::string>() : key->dump()) : event_id;
  rec.value = row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return rec;
}

} // namespace

int backfill(const config::settings& s) {
  auto spec = config::load_pipeline_spec(s.get("pipeline.spec"));
  if (!spec)
    return fail(spec.err().describe(), 2);
  auto t = lake::table::open(s.get("table"));
  if (!t)
    return fail(t.err().describe(), 1);
  auto stream_name = s.get("stream");
  if (stream_name.empty())
    stream_name = std::filesystem::path((*t)->root()).lexically_normal().filename().string();
  const auto* stream = spec->stream(stream_name);
  if (!stream)
    return fail("no stream '" + stream_name + "' in the pipeline spec: name the table's stream with --stream", 2);

  // What to replay: the rows added in versions (from, to], or every row as of one version.
  const bool range = !s.get("from-version").empty() || !s.get("from-ts").empty() || !s.get("to-version").empty() ||
                     !s.get("to-ts").empty();
  auto as_of = selected_version(s, **t, "");
  if (!as_of)
    return fail(as_of.err().describe(), 2);
  if (range && as_of->has_value())
    return fail("give a range (--from-*/--to-*) or one version (--version/--timestamp), not both", 2);
  std::vector<lake::add_action> files;
  int64_t from = -1, to = (*t)->latest().version();
  if (range) {
    auto f = selected_version(s, **t, "from-");
    if (!f && !lake::is(f.err(), lake::errc::version_not_found))
      return fail(f.err().describe(), 2);
    if (f && f->has_value())
      from = **f; // a time before the first commit: from the beginning
    auto u = selected_version(s, **t, "to-");
    if (!u)
      return fail(u.err().describe(), 2);
    if (u->has_value())
      to = **u;
  } else if (as_of->has_value()) {
    to = **as_of;
  }
  auto snap = (*t)->snapshot_at(to);
  if (!snap)
    return fail(snap.err().describe(), 1);
  if (range) {
    auto added = lake::files_added_between((*t)->store(), from, to);
    if (!added)
      return fail(added.err().describe(), 1);
    files = std::move(*added);
  } else {
    files = lake::live_files(*snap);
  }

  event_format f;
  f.stream = stream->name;
  f.key_field = stream->key_field;
  f.event_time_field = stream->event_time_field;
  f.partition_columns = snap->metadata().partition_columns;
  f.backfill_id = s.get("id").empty() ? std::to_string(now_ms()) : s.get("id");
  f.topic = s.get("topic").empty() ? "backfill." + stream->name + "." + f.backfill_id : s.get("topic");

  lake::row_read_options o;
  o.skip_nulls = true; // events leave absent fields out
  o.limit = static_cast<uint64_t>(s.get_int("limit"));
  auto rows = lake::row_reader::open((*t)->root(), snap->schema(), f.partition_columns, std::move(files), o);
  if (!rows)
    return fail(rows.err().describe(), 1);
  std::vector<kafka::outgoing_record> records;
  while (true) {
    auto batch = rows->next();
    if (!batch)
      return fail(batch.err().describe(), 1);
    if (batch->empty())
      break;
    for (auto& row : *batch)
      records.push_back(to_record(std::move(row), f));
  }
  // In event-time order (per stream key, hence per partition too), so the replay's watermarks move
  // forward as they did live and windows close in order instead of dropping rows as late.
  if (s.get("order") == "event_time")
    std::stable_sort(records.begin(), records.end(),
                     [](const kafka::outgoing_record& a, const kafka::outgoing_record& b) { return a.timestamp_ms < b.timestamp_ms; });
  else if (s.get("order") != "table")
    return fail("--order must be event_time or table", 2);

  const auto timeout = static_cast<int>(s.get_int("timeout_ms"));
  const auto partitions = static_cast<int32_t>(s.get_int("partitions"));
  if (partitions < 1)
    return fail("--partitions must be at least 1", 2);
  if (auto st = kafka::create_topics(s.get("kafka.bootstrap"), {{"backfill", f.topic, partitions, "delete", -1}}, timeout);
      !st.ok())
    return fail(st.err().describe(), 1);
  auto producer = kafka::producer::create(kafka::producer_config(s.get("kafka.bootstrap"), "freshet-admin-backfill"));
  if (!producer)
    return fail(producer.err().describe(), 1);
  std::atomic<size_t> delivered{0}, failed{0};
  for (auto& rec : records) {
    while (true) {
      auto st = (*producer)->produce(rec, [&](const kafka::delivery_report& r) { ++(r.ok ? delivered : failed); });
      if (st.ok())
        break;
      if (!st.err().retriable)
        return fail(st.err().describe(), 1);
      (void) (*producer)->flush(100);
    }
  }
  if (auto st = (*producer)->flush(timeout); !st.ok() || failed > 0 || delivered != records.size())
    return fail("only " + std::to_string(delivered.load()) + " of " + std::to_string(records.size()) +
                  " events were acknowledged",
                1);
  const auto what = range ? "versions " + std::to_string(from) + " (excl.) to " + std::to_string(to)
                          : "as of version " + std::to_string(to);
  std::printf("%s: %zu events of stream %s from %s, %s\n", f.topic.c_str(), records.size(), f.stream.c_str(),
              (*t)->root().c_str(), what.c_str());
  return 0;
}

} // namespace freshet::admin
