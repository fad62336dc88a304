#include "services/enrich/table_loader.hpp"

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/base/clock.hpp"
#include "common/event/json_codec.hpp"
#include "common/kafka/partition_reader.hpp"
#include "common/log/logger.hpp"
#include "services/enrich/enrich_probe.hpp"

namespace freshet::enrich {

namespace {

constexpr size_t max_poll_records = 5000;
constexpr int poll_timeout_ms = 100;
constexpr int64_t touch_interval_ms = 30000;

struct loader_state {
  std::shared_ptr<reference_table> table;
  std::unique_ptr<kafka::partition_reader> reader;
  enrich_probe* probe = nullptr;
  table_loader_options opts;
  std::shared_ptr<spdlog::logger> logger;
  std::map<int32_t, int64_t> applied; ///< next offset per partition, as stored with the rows
  std::map<int32_t, int64_t> target;  ///< high watermark at start: caught up once applied reaches it
  std::set<int32_t> at_end;           ///< partitions whose end was reached since their last record
  std::set<int32_t> reached_target;
  int64_t started_ms = 0;
  int64_t last_touch_ms = 0;
  bool stopping = false;
  static inline const char* name = "freshet.enrich.table_loader";
};

using loader_pointer = table_loader_actor::stateful_pointer<loader_state>;

/// The key of a dim record: its Kafka key, else (for producers that do not key) the key field.
std::string key_of(const kafka::consumed_record& r, const std::string& key_field) {
  if (!r.key.empty() || r.tombstone)
    return r.key;
  auto row = event::decode_json(r.value);
  if (!row)
    return {};
  const auto* v = row->get(key_field);
  return v ? event::as_text(*v) : std::string{};
}

void report(loader_state& st) {
  const auto& name = st.table->name();
  st.probe->table_rows(name, st.table->size());
  int64_t lag = 0;
  for (const auto& [p, next] : st.applied) {
    if (st.at_end.count(p))
      continue;
    auto hw = st.reader->cached_high_watermark({st.opts.topic, p});
    if (hw < 0)
      hw = st.target[p];
    lag += std::max<int64_t>(0, hw - next);
  }
  st.probe->table_lag(name, lag);
}

void check_caught_up(loader_state& st) {
  if (st.table->caught_up())
    return;
  for (const auto& [p, next] : st.applied)
    if (next >= st.target[p] || st.at_end.count(p))
      st.reached_target.insert(p);
  if (st.reached_target.size() < st.applied.size())
    return;
  st.table->mark_caught_up();
  st.probe->table_caught_up(st.table->name(), true);
  FRESHET_LOG(info, st.logger, "table {} caught up with {}: {} rows in {} ms", st.table->name(), st.opts.topic,
              st.table->size(), now_ms() - st.started_ms);
}

/// Re-reads from what the store holds after a failed write, so no record is skipped.
void rewind(loader_state& st) {
  std::vector<kafka::partition_offset> from;
  for (const auto& [p, next] : st.applied)
    from.push_back({{st.opts.topic, p}, next});
  if (auto s = st.reader->assign(from); !s.ok())
    FRESHET_LOG(err, st.logger, "table {}: re-assigning failed: {}", st.table->name(), s.err().describe());
}

void cycle(loader_state& st) {
  auto polled = st.reader->poll(max_poll_records, poll_timeout_ms);
  if (!polled) {
    FRESHET_LOG(err, st.logger, "table {}: reading {} failed: {}", st.table->name(), st.opts.topic,
                polled.err().describe());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return;
  }
  auto positions = st.applied;
  std::vector<reference_table::change> changes;
  changes.reserve(polled->records.size());
  size_t unkeyed = 0;
  for (auto& r : polled->records) {
    positions[r.partition] = r.offset + 1;
    st.at_end.erase(r.partition);
    auto key = key_of(r, st.opts.key_field);
    if (key.empty()) {
      ++unkeyed;
      continue;
    }
    changes.push_back({std::move(key), r.tombstone ? std::nullopt : std::optional<std::string>{std::move(r.value)}});
  }
  for (auto p : polled->reached_end)
    st.at_end.insert(p);
  auto now = now_ms();
  if (positions != st.applied) {
    auto stats = st.table->apply(changes, positions, now);
    if (!stats) {
      FRESHET_LOG(err, st.logger, "table {}: applying {} records failed ({}); re-reading them", st.table->name(),
                  changes.size(), stats.err().describe());
      rewind(st);
      std::this_thread::sleep_for(std::chrono::milliseconds(1000));
      return;
    }
    st.applied = std::move(positions);
    st.last_touch_ms = now;
    st.probe->table_applied(st.table->name(), changes.size());
    if (stats->rejected + unkeyed > 0) {
      st.probe->table_rejected(st.table->name(), stats->rejected + unkeyed);
      FRESHET_LOG(warn, st.logger, "table {}: {} record(s) without a key or with a value that is not a JSON object "
                  "(or holds no valid IP range) were applied as deletions or skipped", st.table->name(),
                  stats->rejected + unkeyed);
    }
  } else if (now - st.last_touch_ms >= touch_interval_ms) {
    if (st.table->touch(now).ok())
      st.last_touch_ms = now;
  }
  check_caught_up(st);
  report(st);
}

table_loader_actor::behavior_type loader_behavior(loader_pointer self) {
  self->send(self, poll_atom::value);
  return {
    [self](poll_atom) {
      auto& st = self->state;
      if (st.stopping)
        return;
      cycle(st);
      self->send(self, poll_atom::value);
    },
    [self](stop_atom) {
      auto& st = self->state;
      st.stopping = true;
      (void) st.table->touch(now_ms());
      st.reader->close();
      self->quit();
      return true;
    },
  };
}

} // namespace

start_plan plan_start(const reference_table::stored_state& stored, const std::string& fingerprint,
                      const std::string& topic, const std::vector<std::pair<int64_t, int64_t>>& watermarks,
                      int64_t now_ms, int64_t max_age_ms) {
  start_plan plan;
  auto from_scratch = [&](std::string why) {
    plan.rebuild = true;
    plan.why = std::move(why);
    plan.from.clear();
    for (size_t p = 0; p < watermarks.size(); ++p)
      plan.from.push_back({{topic, static_cast<int32_t>(p)}, -1});
    return plan;
  };
  if (max_age_ms <= 0)
    return from_scratch("resuming is off");
  if (stored.fingerprint.empty() && stored.offsets.empty())
    return from_scratch("the store is empty");
  if (stored.fingerprint != fingerprint)
    return from_scratch("the table was loaded with another topic, key or range columns");
  if (!stored.saved_at_ms || now_ms - *stored.saved_at_ms > max_age_ms)
    return from_scratch("the store is older than enrich.resume_max_age_ms");
  for (const auto& [p, next] : stored.offsets) {
    if (p < 0 || static_cast<size_t>(p) >= watermarks.size())
      return from_scratch("partition " + std::to_string(p) + " no longer exists");
    auto [low, high] = watermarks[static_cast<size_t>(p)];
    if (next < low || next > high)
      return from_scratch("stored offset " + std::to_string(next) + " of partition " + std::to_string(p) +
                          " is outside [" + std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  plan.rebuild = false;
  plan.why = "resuming from stored offsets";
  for (size_t p = 0; p < watermarks.size(); ++p) {
    auto it = stored.offsets.find(static_cast<int32_t>(p));
    plan.from.push_back({{topic, static_cast<int32_t>(p)}, it == stored.offsets.end() ? -1 : it->second});
  }
  return plan;
}

result<table_loader_actor> spawn_table_loader(caf::actor_system& sys, std::shared_ptr<reference_table> table,
                                              table_loader_options opts, enrich_probe& probe) {
  auto logger = log::get("enrich.tables");
  auto reader = kafka::partition_reader::create(opts.consumer);
  if (!reader)
    return reader.err();
  std::vector<std::pair<int64_t, int64_t>> watermarks;
  for (int32_t p = 0; p < opts.partitions; ++p) {
    auto wm = (*reader)->query_watermarks({opts.topic, p}, opts.watermark_timeout_ms);
    if (!wm)
      return wm.err();
    watermarks.push_back(*wm);
  }
  auto stored = table->stored();
  if (!stored)
    return stored.err();
  auto plan = plan_start(*stored, opts.fingerprint, opts.topic, watermarks, now_ms(), opts.resume_max_age_ms);
  if (plan.rebuild)
    FRESHET_TRY(table->reset(opts.fingerprint, now_ms()));
  else
    FRESHET_TRY(table->load());
  FRESHET_LOG(info, logger, "table {}: {} ({}; {} rows kept)", table->name(), plan.rebuild ? "rebuilding from " + opts.topic : "resuming " + opts.topic,
              plan.why, table->size());
  FRESHET_TRY((*reader)->assign(plan.from));

  auto st = std::make_shared<loader_state>();
  st->table = std::move(table);
  st->reader = std::move(*reader);
  st->probe = &probe;
  st->logger = logger;
  st->started_ms = now_ms();
  st->last_touch_ms = st->started_ms;
  for (size_t p = 0; p < watermarks.size(); ++p) {
    auto part = static_cast<int32_t>(p);
    st->applied[part] = plan.from[p].next_offset >= 0 ? plan.from[p].next_offset : watermarks[p].first;
    st->target[part] = watermarks[p].second;
  }
  st->opts = std::move(opts);
  probe.table_caught_up(st->table->name(), false);
  check_caught_up(*st);
  report(*st);
  // The state travels as a spawn argument: CAF 0.17 dereferences a null argument tuple for
  // functors spawned without arguments, which UBSan (make test-asan) rejects.
  return sys.spawn<caf::detached>(
    [](loader_pointer self, std::shared_ptr<loader_state> prepared) {
      self->state = std::move(*prepared);
      return loader_behavior(self);
    },
    std::move(st));
}

void stop_table_loader(caf::actor_system& sys, const table_loader_actor& loader, int timeout_ms) {
  caf::scoped_actor self{sys};
  self->request(loader, std::chrono::milliseconds(timeout_ms), stop_atom::value)
    .receive([](bool) {},
             [&](const caf::error&) { FRESHET_LOG(warn, log::get("enrich.tables"), "a table loader did not stop in time"); });
}

} // namespace freshet::enrich
