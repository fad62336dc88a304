#include "services/enrich/redis_table.hpp"

#include <unordered_set>

#include "common/log/logger.hpp"
#include "common/redis/client.hpp"
#include "services/enrich/enrich_probe.hpp"

namespace freshet::enrich {

namespace {

constexpr size_t max_pipeline = 1000;

row_ptr to_row(const redis::reply& r) {
  if (r.type != redis::reply::kind::array || r.elements.empty())
    return nullptr;
  auto row = std::make_shared<event::record>();
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    row->set(r.elements[i].str, r.elements[i + 1].str);
  return row;
}

} // namespace

redis_table::redis_table(std::string name, config::redis_table_options opts, std::shared_ptr<redis::client> client,
                         enrich_probe* probe, lru_cache<std::string, row_ptr>::clock_fn clock)
    : name_(std::move(name)),
      opts_(std::move(opts)),
      client_(std::move(client)),
      probe_(probe),
      cache_(opts_.cache_entries, std::move(clock)) {}

void redis_table::remember(const std::string& key, const row_ptr& row) {
  cache_.put(key, row, row ? opts_.ttl_ms : opts_.miss_ttl_ms);
}

result<std::vector<row_ptr>> redis_table::fetch(const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(keys.size());
  for (const auto& k : keys)
    commands.push_back({"HGETALL", opts_.key_prefix + k});
  auto replies = client_->pipeline(commands);
  if (replies) {
    std::vector<row_ptr> rows;
    rows.reserve(replies->size());
    for (const auto& r : *replies)
      rows.push_back(to_row(r));
    return rows;
  }
  if (replies.err().retriable)
    return replies.err();
  // A server error (a key that is not a hash, say) fails the whole pipeline: ask key by key so
  // that one bad key is a miss for its events only.
  std::vector<row_ptr> rows;
  for (const auto& cmd : commands) {
    auto one = client_->command(cmd);
    if (!one && one.err().retriable)
      return one.err();
    if (!one)
      FRESHET_LOG(warn, log::get("enrich.redis"), "table {}: {} answered '{}'; treated as a miss", name_, cmd[1],
                  one.err().message);
    rows.push_back(one ? to_row(*one) : nullptr);
  }
  return rows;
}

status redis_table::prefetch(const std::vector<std::string>& keys) {
  batch_.clear();
  std::vector<std::string> wanted;
  std::unordered_set<std::string> seen;
  for (const auto& k : keys) {
    if (!seen.insert(k).second)
      continue;
    auto cached = cache_.get(k);
    if (probe_)
      probe_->cache_lookup(name_, cached.has_value(), cache_.size());
    if (cached)
      batch_[k] = *cached;
    else
      wanted.push_back(k);
  }
  for (size_t start = 0; start < wanted.size(); start += max_pipeline) {
    std::vector<std::string> chunk(wanted.begin() + static_cast<std::ptrdiff_t>(start),
                                   wanted.begin() + static_cast<std::ptrdiff_t>(std::min(wanted.size(), start + max_pipeline)));
    auto rows = fetch(chunk);
    if (!rows)
      return rows.err();
    for (size_t i = 0; i < chunk.size(); ++i) {
      remember(chunk[i], (*rows)[i]);
      batch_[chunk[i]] = (*rows)[i];
    }
  }
  return {};
}

result<row_ptr> redis_table::find(const std::string& key) {
  if (auto it = batch_.find(key); it != batch_.end())
    return it->second;
  auto cached = cache_.get(key);
  if (probe_)
    probe_->cache_lookup(name_, cached.has_value(), cache_.size());
  if (cached)
    return *cached;
  auto rows = fetch({key});
  if (!rows)
    return rows.err();
  auto row = rows->front();
  remember(key, row);
  return row;
}

} // namespace freshet::enrich
