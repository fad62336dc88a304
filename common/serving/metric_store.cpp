#include "common/serving/metric_store.hpp"

#include <set>

#include "common/base/clock.hpp"
#include "common/serving/rollup_codec.hpp"

namespace freshet::serving {

namespace {

/// KEYS: per entry, its window hash, its metric's index and its metric's write log. ARGV: ttl
/// (seconds), now (ms), then per entry: field, revision, payload ("" = tombstone), index member,
/// index score (window start).
constexpr const char* write_script = R"LUA(
local ttl = tonumber(ARGV[1])
local expired = tonumber(ARGV[2]) - ttl * 1000
local written = 0
local trimmed = {}
for i = 1, #KEYS / 3 do
  local h, idx, log = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local a = 2 + (i - 1) * 5
  local field, rev, payload = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local cur = redis.call('HGET', h, field)
  local newer = true
  if cur then
    local stored = tonumber(string.match(cur, '^(%d+):'))
    if stored and stored >= tonumber(rev) then newer = false end
  end
  if newer then
    redis.call('HSET', h, field, rev .. ':' .. payload)
    redis.call('EXPIRE', h, ttl)
    if payload ~= '' then
      redis.call('ZADD', idx, ARGV[a + 5], ARGV[a + 4])
      redis.call('ZADD', log, ARGV[2], ARGV[a + 4])
    end
    written = written + 1
  end
  if not trimmed[idx] then
    -- Windows not written for a TTL have expired: drop them from the index (a bounded step).
    trimmed[idx] = true
    local old = redis.call('ZRANGEBYSCORE', log, '-inf', '(' .. expired, 'LIMIT', 0, 100)
    if #old > 0 then
      redis.call('ZREM', idx, unpack(old))
      redis.call('ZREM', log, unpack(old))
    end
  end
end
return written
)LUA";

/// Entries per EVAL: bounds the script's run time (Redis is single-threaded).
constexpr size_t entries_per_call = 200;

struct entry {
  std::string hash, index, log, field, revision, payload, member, score;
};

std::string member_of(int64_t start, int64_t end) {
  return std::to_string(start) + ":" + std::to_string(end);
}

} // namespace

metric_store::metric_store(redis::client& client, std::string pipeline, int64_t ttl_seconds)
    : client_(client), prefix_("freshet:" + pipeline + ":m:"), ttl_seconds_(ttl_seconds) {}

std::string metric_store::window_key(std::string_view metric, int64_t start, int64_t end) const {
  return prefix_ + std::string{metric} + ":w:" + member_of(start, end);
}

std::string metric_store::index_key(std::string_view metric) const {
  return prefix_ + std::string{metric} + ":index";
}

std::string metric_store::log_key(std::string_view metric) const {
  return prefix_ + std::string{metric} + ":written";
}

result<metric_store::write_report> metric_store::write(std::span<const v1::Rollup> rollups) {
  std::vector<entry> entries;
  for (const auto& r : rollups) {
    std::vector<std::string> dims(r.dims().begin(), r.dims().end());
    auto field = rollup_field(dims, r.source_partition());
    auto rev = std::to_string(r.revision());
    auto index = index_key(r.metric());
    auto log = log_key(r.metric());
    // Tombstones first: a replaced session bound must not outlive the session that absorbed it.
    for (const auto& b : r.replaces())
      if (b.start_ms() != r.window_start_ms() || b.end_ms() != r.window_end_ms())
        entries.push_back({window_key(r.metric(), b.start_ms(), b.end_ms()), index, log, field, rev, "",
                           member_of(b.start_ms(), b.end_ms()), std::to_string(b.start_ms())});
    entries.push_back({window_key(r.metric(), r.window_start_ms(), r.window_end_ms()), index, log, field, rev,
                       r.SerializeAsString(), member_of(r.window_start_ms(), r.window_end_ms()),
                       std::to_string(r.window_start_ms())});
  }
  write_report report;
  const auto now = std::to_string(now_ms());
  for (size_t from = 0; from < entries.size(); from += entries_per_call) {
    size_t to = std::min(entries.size(), from + entries_per_call);
    std::vector<std::string> cmd{"EVAL", write_script, std::to_string(3 * (to - from))};
    for (size_t i = from; i < to; ++i) {
      cmd.push_back(entries[i].hash);
      cmd.push_back(entries[i].index);
      cmd.push_back(entries[i].log);
    }
    cmd.push_back(std::to_string(ttl_seconds_));
    cmd.push_back(now);
    for (size_t i = from; i < to; ++i)
      for (auto* s : {&entries[i].field, &entries[i].revision, &entries[i].payload, &entries[i].member,
                      &entries[i].score})
        cmd.push_back(*s);
    auto reply = client_.command(cmd);
    if (!reply)
      return reply.err();
    auto n = static_cast<size_t>(reply->integer);
    report.written += n;
    report.stale += (to - from) - n;
  }
  return report;
}

result<std::vector<v1::Rollup>> metric_store::read(std::string_view metric, int64_t from_ms, int64_t to_ms) {
  auto index = index_key(metric);
  auto idx = client_.command({"ZRANGEBYSCORE", index, std::to_string(from_ms), "(" + std::to_string(to_ms)});
  if (!idx)
    return idx.err();
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::string> members;
  for (const auto& e : idx->elements) {
    auto colon = e.str.find(':', 1);
    if (colon == std::string::npos)
      continue;
    members.push_back(e.str);
    cmds.push_back({"HGETALL", prefix_ + std::string{metric} + ":w:" + e.str});
  }
  std::vector<v1::Rollup> out;
  if (cmds.empty())
    return out;
  auto hashes = client_.pipeline(cmds);
  if (!hashes)
    return hashes.err();
  std::vector<std::string> expired;
  for (size_t i = 0; i < hashes->size(); ++i) {
    const auto& fields = (*hashes)[i].elements;
    if (fields.empty())
      expired.push_back(members[i]);
    for (size_t f = 0; f + 1 < fields.size(); f += 2) {
      const auto& v = fields[f + 1].str;
      auto colon = v.find(':');
      if (colon == std::string::npos || colon + 1 == v.size())
        continue; // tombstone
      v1::Rollup r;
      if (r.ParseFromArray(v.data() + colon + 1, static_cast<int>(v.size() - colon - 1)))
        out.push_back(std::move(r));
    }
  }
  if (!expired.empty()) {
    std::vector<std::string> zrem{"ZREM", index};
    zrem.insert(zrem.end(), expired.begin(), expired.end());
    (void) client_.command(zrem); // housekeeping only
  }
  return out;
}

} // namespace freshet::serving
