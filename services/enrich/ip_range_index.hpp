#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace freshet::enrich {

/// An IP address as a 128-bit number: IPv6 as it is, IPv4 mapped into ::ffff:0:0/96, so one index
/// holds both families and an IPv4 range never covers IPv6 addresses.
using ip_address = unsigned __int128;

/// Parses "192.0.2.1" or "2001:db8::1"; nothing when the text is neither.
[[nodiscard]] std::optional<ip_address> parse_ip(std::string_view text);

/// An inclusive address range and the key of the reference-table row it came from.
struct ip_range {
  ip_address first = 0;
  ip_address last = 0;
  std::string key;
};

/// Parses "10.0.0.0/8" or "2001:db8::/32" (host bits are ignored) into a range.
[[nodiscard]] std::optional<ip_range> parse_cidr(std::string_view text);
/// Parses a first/last pair of the same family with first <= last.
[[nodiscard]] std::optional<ip_range> parse_ip_pair(std::string_view first, std::string_view last);

/// Point lookups over possibly overlapping ranges: the answer is the narrowest range containing
/// the address (ties: the smallest key), i.e. longest-prefix match for CIDR tables.
///
/// Built once from all ranges (a sweep into disjoint segments, O(n log n)); looked up by binary
/// search. Immutable after `build`, so a built index is shared between threads as it is; the
/// reference table rebuilds and swaps it when its rows change.
class ip_range_index {
 public:
  [[nodiscard]] static ip_range_index build(std::vector<ip_range> ranges);

  /// The key of the narrowest range containing `ip`, or nullptr.
  [[nodiscard]] const std::string* find(ip_address ip) const;

  [[nodiscard]] size_t ranges() const { return keys_.size(); }
  [[nodiscard]] size_t segments() const { return starts_.size(); }

 private:
  std::vector<ip_address> starts_; ///< segment i covers [starts_[i], ends_[i]], disjoint, ascending
  std::vector<ip_address> ends_;
  std::vector<uint32_t> owner_; ///< index into keys_
  std::vector<std::string> keys_;
};

} // namespace freshet::enrich
