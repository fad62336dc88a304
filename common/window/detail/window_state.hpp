#pragma once

// The operator's per-window and per-group state, and the byte encodings of both (changelog and
// snapshot records). Internal to window_operator.

#include <compare>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/window/aggregator.hpp"
#include "common/window/bytes.hpp"
#include "common/window/window_bounds.hpp"

namespace freshet::window::detail {

/// Lets unordered maps keyed by std::string be searched with a string_view (no allocation).
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct window_state {
  window_bounds bounds;
  aggregator_block aggs;                         ///< in metric_spec::aggregations order
  uint64_t revision = 0;                         ///< of the last emission (0: never emitted)
  bool final_emitted = false;                    ///< a final result left (this window or a merged part)
  bool dirty = false;                            ///< updated since its last emission
  bool changed = false;                          ///< updated since the last take_changes (not persisted)
  /// Sessions: bounds emitted under this session's lineage that a later emission must replace.
  std::vector<window_bounds> emitted;
};

/// One group (distinct group-by values) of a metric.
struct key_state {
  std::vector<std::string> dims;
  std::map<int64_t, window_state> windows; ///< by start; disjoint for sessions
};

/// A deadline (or a mark) on one window: ordered by time, then group key bytes, then start, so that
/// everything that fires together fires in a deterministic order.
struct timer {
  int64_t at = 0;
  std::string_view key; ///< points into the operator's key map (stable node keys)
  int64_t start = 0;
  auto operator<=>(const timer&) const = default;
};

/// The group key: each dim as varint length + bytes.
void encode_dims(std::span<const std::string_view> dims, std::string& out);
/// The record key of a window: group key + start as 8 bytes big-endian with the sign bit flipped,
/// so that byte order is (group, start) order in RocksDB.
[[nodiscard]] std::string record_key(std::string_view group_key, int64_t start);
/// Splits a record key into its group key and start.
[[nodiscard]] bool split_record_key(std::string_view key, std::string_view& group_key, int64_t& start);
/// The dims of a group key, which must hold exactly `n_dims`.
[[nodiscard]] bool parse_group_key(std::string_view group_key, size_t n_dims, std::vector<std::string>& dims);

void encode_window(const window_state& w, byte_writer& out);
/// Decodes what encode_window wrote into `w` (whose bounds.start is already set from the key), with
/// aggregators laid out by `layout` (`spec_mismatch` when the record holds other kinds).
[[nodiscard]] status decode_window(byte_reader& in, window_state& w, const aggregator_layout& layout);

} // namespace freshet::window::detail
