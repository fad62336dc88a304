#pragma once

#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "common/kafka/client_config.hpp"
#include "common/kafka/producer.hpp"
#include "common/state/kv_store.hpp"
#include "common/stream/stage_state.hpp"

namespace freshet::stream::detail {

/// `stage_state` over a local `kv_store` (cache) and a compacted changelog topic (truth).
///
/// Store keys are "<topic>\x1f<partition>\x1f<key>"; changelog records carry that same key,
/// the value (a null value is a deletion) and go to the changelog partition equal to the input
/// partition. Restoring a partition reuses the local store: each input partition's entries carry a
/// checkpoint (the changelog offset they are current up to, written in the same RocksDB batch as the
/// entries, and the wall time), so a restart or a partition coming back reads only the changelog
/// past it; without a usable checkpoint (none, older than `checkpoint_max_age_ms`, or outside the
/// changelog's offsets) the entries are dropped and read from the beginning.
/// A transaction writes one changelog record per key it changed, with the key's last
/// value, however often the processor wrote it in between (a window updated by every batch of a
/// transaction costs one record, not one per batch). On assignment a partition's cached entries are dropped and rebuilt from its changelog
/// partition (read_committed, from the beginning to the end offset seen at restore time).
class changelog_state final : public stage_state {
 public:
  changelog_state(std::unique_ptr<state::kv_store> store, std::string changelog_topic, kafka::config_map restore_consumer,
                  std::shared_ptr<spdlog::logger> logger);

  result<std::optional<std::string>> get(const kafka::topic_partition& input, std::string_view key) override;
  void put(const kafka::topic_partition& input, std::string_view key, std::string value) override;
  void erase(const kafka::topic_partition& input, std::string_view key) override;
  status scan(const kafka::topic_partition& input, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override;
  uint64_t generation(const kafka::topic_partition& input) const override;
  std::vector<kafka::topic_partition> held() const override;

  /// A checkpoint older than this is not trusted: a compacted changelog forgets tombstones after
  /// its `delete.retention.ms` (one day by default), and a store that missed one would keep a
  /// deleted key.
  static constexpr int64_t checkpoint_max_age_ms = 6LL * 3600 * 1000;

  /// Brings the state of newly assigned partitions up to date with their changelog (from their
  /// checkpoint, or from the beginning). Returns records restored and seconds taken.
  [[nodiscard]] result<std::pair<size_t, double>> restore(const std::vector<kafka::topic_partition>& parts);
  /// Stops holding revoked partitions. Their entries stay in the store with their checkpoint, so
  /// that a later assignment (or restart) reads only what the changelog got since.
  void release(const std::vector<kafka::topic_partition>& parts);
  /// The delivery callback for changelog records: notes the next offset per changelog partition
  /// (called on the producer's thread), which `committed` turns into the held partitions' checkpoints.
  [[nodiscard]] std::function<void(const kafka::delivery_report&)> delivery_observer() const;

  /// The current transaction's changelog: one record per changed key, its last value. Taken once,
  /// just before the transaction commits (the writes stay readable until `committed`/`aborted`).
  [[nodiscard]] std::vector<kafka::outgoing_record> take_changelog();
  /// Whether the current transaction changed anything (a transaction must then be committed even
  /// if the processor produced nothing else).
  [[nodiscard]] bool has_changes() const { return !pending_.empty(); }
  /// The transaction committed: apply its writes to the store.
  [[nodiscard]] status committed();
  /// The transaction aborted: forget its writes.
  void aborted();

  [[nodiscard]] uint64_t approximate_bytes() { return store_->approximate_bytes(); }

 private:
  static std::string store_key(const kafka::topic_partition& tp, std::string_view key);
  static std::string partition_prefix(const kafka::topic_partition& tp);
  static std::string checkpoint_key(const kafka::topic_partition& tp);
  /// The offset `tp`'s entries are current up to, if the checkpoint is there and young enough.
  [[nodiscard]] std::optional<int64_t> checkpoint_of(const kafka::topic_partition& tp);
  void drop_entries(const kafka::topic_partition& tp);

  struct delivered_offsets {
    std::mutex mu;
    std::map<int32_t, int64_t> next; ///< changelog partition -> offset after our last delivered record
  };

  std::unique_ptr<state::kv_store> store_;
  std::string changelog_topic_;
  kafka::config_map restore_consumer_;
  std::shared_ptr<spdlog::logger> logger_;
  struct pending_write {
    int32_t partition = 0;             ///< the changelog partition (= the input partition)
    std::optional<std::string> value;  ///< nullopt: erased
  };
  /// This transaction's writes by store key: what reads see first, what the changelog carries.
  std::map<std::string, pending_write, std::less<>> pending_;
  /// Partitions whose state this instance holds, each with the generation it was (re)loaded at.
  std::map<kafka::topic_partition, uint64_t> held_;
  uint64_t next_generation_ = 1;
  uint64_t aborted_at_ = 0; ///< the generation of the last discarded transaction
  std::shared_ptr<delivered_offsets> delivered_ = std::make_shared<delivered_offsets>();
};

} // namespace freshet::stream::detail
