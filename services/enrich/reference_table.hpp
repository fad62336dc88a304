#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/enrichment_spec.hpp"
#include "common/state/kv_store.hpp"
#include "services/enrich/ip_range_index.hpp"
#include "services/enrich/table_source.hpp"

namespace freshet::enrich {

/// A reference table materialized from its compacted `dim.<name>` topic into a local store.
///
/// Threading: its loader actor is the only writer (`reset`, `load`, `apply`, `touch`,
/// `mark_caught_up`); the stage actor reads (`find`, `find_ip`). A mutex serializes store access,
/// since a `kv_store` has one user at a time. Range lookups read an immutable index that `apply`
/// rebuilds and swaps whenever range rows change.
///
/// Store layout: `r/<key>` -> the row's JSON object; `m/offset/<partition>` -> next offset to read;
/// `m/fingerprint` (topic, key and range columns the rows were loaded with); `m/saved_at` (ms).
/// Rows and offsets are written in one batch, so a resumed table is exactly the topic's prefix.
class reference_table final : public table_source {
 public:
  reference_table(std::string name, std::optional<config::ip_range_columns> ip_ranges,
                  std::unique_ptr<state::kv_store> store);

  /// What a previous run left in the store.
  struct stored_state {
    std::string fingerprint;
    std::optional<int64_t> saved_at_ms;
    std::map<int32_t, int64_t> offsets; ///< partition -> next offset
  };
  [[nodiscard]] result<stored_state> stored();

  /// Empties the table and records the fingerprint of what will be loaded into it.
  [[nodiscard]] status reset(const std::string& fingerprint, int64_t now_ms);

  /// Counts the stored rows and builds the range index (after opening a resumed store).
  [[nodiscard]] status load();

  /// One record of the dim topic: an upsert, or a tombstone (`value` empty).
  struct change {
    std::string key;
    std::optional<std::string> value;
  };
  struct apply_stats {
    size_t upserts = 0;
    size_t deletes = 0;
    size_t rejected = 0; ///< values that are not JSON objects (applied as deletes) or bad ranges
  };
  /// Applies changes in order together with the positions they bring the table to.
  [[nodiscard]] result<apply_stats> apply(const std::vector<change>& changes,
                                          const std::map<int32_t, int64_t>& positions, int64_t now_ms);

  /// Records that the table was current at `now_ms` (bounds the age of a resumable store).
  [[nodiscard]] status touch(int64_t now_ms);

  /// The table has read its topic up to the end as of its start: lookups may begin.
  void mark_caught_up();
  /// Drops the store (before its folder is removed); later lookups fail.
  void close();

  // --- readers (the stage actor)
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] result<row_ptr> find(const std::string& key) override;
  /// The row of the narrowest range containing `ip`; nullptr when none does or `ip` is not an address.
  [[nodiscard]] result<row_ptr> find_ip(std::string_view ip);

  [[nodiscard]] bool is_ip_table() const { return ip_ranges_.has_value(); }
  [[nodiscard]] size_t size() const { return rows_.load(); }
  [[nodiscard]] bool caught_up() const { return caught_up_.load(); }
  /// Waits up to `timeout_ms` for `mark_caught_up`.
  [[nodiscard]] bool wait_caught_up(int timeout_ms) const;

 private:
  result<row_ptr> find_locked(const std::string& key);
  status load_locked();
  std::optional<ip_range> range_of(const std::string& key, std::string_view json) const;
  void rebuild_index_locked();

  const std::string name_;
  const std::optional<config::ip_range_columns> ip_ranges_;
  mutable std::mutex mu_;
  std::unique_ptr<state::kv_store> store_;
  std::map<std::string, ip_range> ranges_; ///< range tables: key -> its range
  std::shared_ptr<const ip_range_index> index_ = std::make_shared<ip_range_index>();
  std::atomic<size_t> rows_{0};
  std::atomic<bool> caught_up_{false};
  mutable std::mutex ready_mu_;
  mutable std::condition_variable ready_cv_;
};

} // namespace freshet::enrich
