#include "common/lake/log_replay.hpp"

#include <algorithm>
#include <set>

#include "common/lake/checkpoint.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/log_paths.hpp"

namespace freshet::lake {

std::optional<int64_t> log_listing::latest_version() const {
  std::optional<int64_t> v;
  if (!commits.empty())
    v = commits.rbegin()->first;
  if (!checkpoints.empty())
    v = std::max(v.value_or(-1), checkpoints.rbegin()->first);
  return v;
}

result<log_listing> list_log(const log_store& store) {
  auto entries = store.list();
  if (!entries.ok())
    return entries.err();
  log_listing out;
  std::map<std::pair<int64_t, int>, std::map<int, std::string>> parts; // (version, parts) -> part -> name
  for (auto& e : *entries) {
    auto n = parse_log_file_name(e.name);
    if (!n)
      continue;
    switch (n->k) {
      case log_file_name::kind::commit: out.commits[n->version] = std::move(e); break;
      case log_file_name::kind::checkpoint: out.checkpoints[n->version] = {e.name}; break;
      case log_file_name::kind::multipart_checkpoint: parts[{n->version, n->parts}][n->part] = e.name; break;
    }
  }
  for (auto& [key, names] : parts) {
    if (static_cast<int>(names.size()) != key.second || out.checkpoints.contains(key.first))
      continue; // incomplete (readers must ignore it), or a single-file one exists
    auto& list = out.checkpoints[key.first];
    for (auto& [part, name] : names)
      list.push_back(std::move(name));
  }
  return out;
}

result<std::vector<action>> read_commit(const log_store& store, int64_t version) {
  auto text = store.read(commit_file(version));
  if (!text.ok())
    return text.err();
  if (!*text)
    return make_lake_error(errc::version_not_found, "commit " + std::to_string(version) + " is not in " +
                                                      store.location());
  return parse_commit(**text);
}

namespace {

result<snapshot> from_checkpoint_files(const log_store& store, int64_t version, const std::vector<std::string>& names) {
  std::vector<action> all;
  for (const auto& name : names) {
    auto bytes = store.read(name);
    if (!bytes.ok())
      return bytes.err();
    if (!*bytes)
      return make_lake_error(errc::malformed_log, name + " vanished");
    auto actions = read_checkpoint(std::move(**bytes));
    if (!actions.ok())
      return actions.err();
    std::move(actions->begin(), actions->end(), std::back_inserter(all));
  }
  return snapshot::from_checkpoint(version, all);
}

status replay(const log_store& store, const log_listing& listing, snapshot& s, int64_t target) {
  for (int64_t v = s.version() + 1; v <= target; ++v) {
    if (!listing.commits.contains(v)) {
      if (listing.commits.empty() || v < listing.commits.begin()->first)
        return make_lake_error(errc::version_not_found,
                               "version " + std::to_string(v) + " is no longer in the log of " + store.location());
      return make_lake_error(errc::malformed_log, "commit " + std::to_string(v) + " is missing in " + store.location());
    }
    auto actions = read_commit(store, v);
    if (!actions.ok())
      return actions.err();
    FRESHET_TRY(s.apply(v, *actions));
  }
  return {};
}

} // namespace

result<snapshot> load_snapshot(const log_store& store, std::optional<int64_t> version) {
  auto listing = list_log(store);
  if (!listing.ok())
    return listing.err();
  auto latest = listing->latest_version();
  if (!latest)
    return make_lake_error(errc::not_a_table, store.location() + " has no commits");
  const int64_t target = version.value_or(*latest);
  if (target > *latest || target < 0)
    return make_lake_error(errc::version_not_found, "version " + std::to_string(target) + " does not exist (latest is " +
                                                      std::to_string(*latest) + ")");
  std::optional<snapshot> s;
  for (auto it = listing->checkpoints.rbegin(); it != listing->checkpoints.rend() && !s; ++it) {
    if (it->first > target)
      continue;
    auto cp = from_checkpoint_files(store, it->first, it->second);
    if (cp.ok())
      s = std::move(*cp); // an unreadable checkpoint falls back to an older one
  }
  if (!s)
    s.emplace();
  FRESHET_TRY(replay(store, *listing, *s, target));
  FRESHET_TRY(s->check_readable());
  return std::move(*s);
}

result<int64_t> update_snapshot(const log_store& store, snapshot& s) {
  auto listing = list_log(store);
  if (!listing.ok())
    return listing.err();
  auto latest = listing->latest_version().value_or(-1);
  const int64_t before = s.version();
  if (latest <= before)
    return int64_t{0};
  FRESHET_TRY(replay(store, *listing, s, latest));
  FRESHET_TRY(s.check_readable());
  return s.version() - before;
}

result<std::vector<commit_time>> commit_times(const log_store& store, timestamp_source source) {
  auto listing = list_log(store);
  if (!listing.ok())
    return listing.err();
  std::vector<commit_time> out;
  int64_t previous = INT64_MIN;
  for (const auto& [v, entry] : listing->commits) {
    int64_t ts = entry.modified_ms;
    if (source == timestamp_source::commit_info) {
      auto actions = read_commit(store, v);
      if (!actions.ok())
        return actions.err();
      for (const auto& a : *actions)
        if (const auto* c = std::get_if<commit_info>(&a); c && c->timestamp > 0)
          ts = c->timestamp;
    }
    if (previous != INT64_MIN && ts <= previous)
      ts = previous + 1;
    out.push_back({v, ts});
    previous = ts;
  }
  return out;
}

result<int64_t> version_at(const log_store& store, int64_t timestamp_ms, timestamp_source source) {
  auto times = commit_times(store, source);
  if (!times.ok())
    return times.err();
  if (times->empty())
    return make_lake_error(errc::not_a_table, store.location() + " has no commits");
  auto it = std::upper_bound(times->begin(), times->end(), timestamp_ms,
                             [](int64_t t, const commit_time& c) { return t < c.timestamp_ms; });
  if (it == times->begin())
    return make_lake_error(errc::version_not_found, "the earliest commit still in the log (version " +
                                                      std::to_string(times->front().version) + ") is younger than " +
                                                      std::to_string(timestamp_ms));
  return std::prev(it)->version;
}

result<std::vector<history_entry>> read_history(const log_store& store, size_t limit, timestamp_source source) {
  auto times = commit_times(store, source);
  if (!times.ok())
    return times.err();
  std::vector<history_entry> out;
  for (auto it = times->rbegin(); it != times->rend() && (limit == 0 || out.size() < limit); ++it) {
    history_entry h{it->version, it->timestamp_ms, std::nullopt};
    auto actions = read_commit(store, it->version);
    if (!actions.ok())
      return actions.err();
    for (const auto& a : *actions)
      if (const auto* c = std::get_if<commit_info>(&a))
        h.info = *c;
    out.push_back(std::move(h));
  }
  return out;
}

} // namespace freshet::lake
