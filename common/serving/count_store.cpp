#include "common/serving/count_store.hpp"

#include <set>

namespace freshet::serving {

count_store::count_store(redis::client& client, std::string pipeline, int64_t window_ms, int64_t ttl_seconds)
    : client_(client), prefix_("freshet:" + pipeline + ":counts"), window_ms_(window_ms), ttl_seconds_(ttl_seconds) {}

int64_t count_store::window_start(int64_t timestamp_ms) const {
  auto w = timestamp_ms / window_ms_ * window_ms_;
  return (timestamp_ms < 0 && w != timestamp_ms) ? w - window_ms_ : w;
}

status count_store::add(const std::map<std::pair<int64_t, std::string>, int64_t>& counts) {
  if (counts.empty())
    return {};
  std::vector<std::vector<std::string>> cmds;
  std::set<int64_t> windows;
  for (const auto& [key, n] : counts) {
    auto hash = prefix_ + ":" + std::to_string(key.first);
    cmds.push_back({"HINCRBY", hash, key.second, std::to_string(n)});
    windows.insert(key.first);
  }
  for (auto w : windows) {
    auto ws = std::to_string(w);
    cmds.push_back({"EXPIRE", prefix_ + ":" + ws, std::to_string(ttl_seconds_)});
    cmds.push_back({"ZADD", prefix_ + ":index", ws, ws});
  }
  auto replies = client_.pipeline(cmds);
  if (!replies)
    return replies.err();
  return {};
}

result<std::vector<count_store::window_count>> count_store::read(int64_t from_ms, int64_t to_ms,
                                                                 const std::string& stream) {
  auto idx = client_.command({"ZRANGEBYSCORE", prefix_ + ":index", std::to_string(from_ms),
                              "(" + std::to_string(to_ms)});
  if (!idx)
    return idx.err();
  std::vector<std::vector<std::string>> cmds;
  std::vector<int64_t> starts;
  for (const auto& e : idx->elements) {
    starts.push_back(std::stoll(e.str));
    cmds.push_back({"HGETALL", prefix_ + ":" + e.str});
  }
  std::vector<window_count> out;
  if (cmds.empty())
    return out;
  auto hashes = client_.pipeline(cmds);
  if (!hashes)
    return hashes.err();
  for (size_t i = 0; i < hashes->size(); ++i) {
    const auto& fields = (*hashes)[i].elements;
    for (size_t f = 0; f + 1 < fields.size(); f += 2)
      if (stream.empty() || fields[f].str == stream)
        out.push_back({starts[i], fields[f].str, std::stoll(fields[f + 1].str)});
  }
  return out;
}

} // namespace freshet::serving
