#include "services/enrich/ip_range_index.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <arpa/inet.h>

namespace freshet::enrich {

namespace {

constexpr ip_address all_ones = ~ip_address{0};
constexpr ip_address v4_mapped_prefix = ip_address{0xffff} << 32;

bool is_v6_text(std::string_view text) {
  return text.find(':') != std::string_view::npos;
}

} // namespace

std::optional<ip_address> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45)
    return std::nullopt;
  char buf[46] = {};
  std::copy(text.begin(), text.end(), buf);
  if (!is_v6_text(text)) {
    in_addr a{};
    if (inet_pton(AF_INET, buf, &a) != 1)
      return std::nullopt;
    return v4_mapped_prefix | ip_address{ntohl(a.s_addr)};
  }
  in6_addr a{};
  if (inet_pton(AF_INET6, buf, &a) != 1)
    return std::nullopt;
  ip_address v = 0;
  for (unsigned char byte : a.s6_addr)
    v = (v << 8) | byte;
  return v;
}

std::optional<ip_range> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return std::nullopt;
  auto addr = parse_ip(text.substr(0, slash));
  auto len_text = text.substr(slash + 1);
  int len = -1;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (!addr || ec != std::errc{} || end != len_text.data() + len_text.size())
    return std::nullopt;
  int max = is_v6_text(text.substr(0, slash)) ? 128 : 32;
  if (len < 0 || len > max)
    return std::nullopt;
  int prefix = len + (128 - max);
  ip_address host = prefix >= 128 ? 0 : all_ones >> prefix;
  return ip_range{*addr & ~host, (*addr & ~host) | host, {}};
}

std::optional<ip_range> parse_ip_pair(std::string_view first, std::string_view last) {
  if (is_v6_text(first) != is_v6_text(last))
    return std::nullopt;
  auto a = parse_ip(first);
  auto b = parse_ip(last);
  if (!a || !b || *a > *b)
    return std::nullopt;
  return ip_range{*a, *b, {}};
}

ip_range_index ip_range_index::build(std::vector<ip_range> ranges) {
  ip_range_index idx;
  const size_t n = ranges.size();
  idx.keys_.reserve(n);
  for (auto& r : ranges)
    idx.keys_.push_back(r.key);

  std::vector<uint32_t> by_first(n), by_last(n);
  for (uint32_t i = 0; i < n; ++i)
    by_first[i] = by_last[i] = i;
  std::sort(by_first.begin(), by_first.end(), [&](uint32_t a, uint32_t b) { return ranges[a].first < ranges[b].first; });
  std::sort(by_last.begin(), by_last.end(), [&](uint32_t a, uint32_t b) { return ranges[a].last < ranges[b].last; });

  // Coverage only changes where a range starts or just after one ends.
  std::vector<ip_address> bounds;
  bounds.reserve(2 * n);
  for (const auto& r : ranges) {
    bounds.push_back(r.first);
    if (r.last != all_ones)
      bounds.push_back(r.last + 1);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  // The active ranges, narrowest first, ties by key: the head owns the current segment.
  auto narrower = [&](uint32_t a, uint32_t b) {
    auto wa = ranges[a].last - ranges[a].first, wb = ranges[b].last - ranges[b].first;
    if (wa != wb)
      return wa < wb;
    if (ranges[a].key != ranges[b].key)
      return ranges[a].key < ranges[b].key;
    return a < b;
  };
  std::set<uint32_t, decltype(narrower)> active{narrower};
  size_t next_start = 0, next_end = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    auto b = bounds[i];
    while (next_end < n && ranges[by_last[next_end]].last < b)
      active.erase(by_last[next_end++]);
    while (next_start < n && ranges[by_first[next_start]].first <= b)
      active.insert(by_first[next_start++]);
    if (active.empty())
      continue;
    uint32_t owner = *active.begin();
    ip_address end = i + 1 < bounds.size() ? bounds[i + 1] - 1 : all_ones;
    if (!idx.starts_.empty() && idx.owner_.back() == owner && idx.ends_.back() + 1 == b) {
      idx.ends_.back() = end;
      continue;
    }
    idx.starts_.push_back(b);
    idx.ends_.push_back(end);
    idx.owner_.push_back(owner);
  }
  return idx;
}

const std::string* ip_range_index::find(ip_address ip) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), ip);
  if (it == starts_.begin())
    return nullptr;
  auto i = static_cast<size_t>(it - starts_.begin()) - 1;
  if (ip > ends_[i])
    return nullptr;
  return &keys_[owner_[i]];
}

} // namespace freshet::enrich
