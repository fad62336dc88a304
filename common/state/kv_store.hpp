#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"

namespace freshet::state {

/// Changes applied together or not at all.
struct write_batch {
  struct op {
    std::string key;
    std::optional<std::string> value; ///< nothing = delete
  };
  std::vector<op> ops;
  void put(std::string k, std::string v) { ops.push_back({std::move(k), std::move(v)}); }
  void erase(std::string k) { ops.push_back({std::move(k), std::nullopt}); }
  [[nodiscard]] bool empty() const { return ops.empty(); }
};

/// An ordered key-value store: a stage's local state. Keys compare as bytes.
///
/// Two implementations honour one contract (tests/unit/state): in memory, for tests and small
/// tables, and RocksDB, for state larger than memory. Not thread-safe: one owner (an actor).
class kv_store {
 public:
  virtual ~kv_store() = default;
  [[nodiscard]] virtual result<std::optional<std::string>> get(std::string_view key) = 0;
  [[nodiscard]] virtual status write(const write_batch& batch) = 0;
  /// Visits keys starting with `prefix` in order until `fn` returns false.
  [[nodiscard]] virtual status scan(std::string_view prefix,
                                    const std::function<bool(std::string_view, std::string_view)>& fn) = 0;
  /// Removes every key (e.g. before a full restore from a changelog).
  [[nodiscard]] virtual status clear() = 0;
  /// Approximate bytes held, for the state-size metric.
  [[nodiscard]] virtual uint64_t approximate_bytes() = 0;

  [[nodiscard]] status put(std::string key, std::string value) {
    write_batch b;
    b.put(std::move(key), std::move(value));
    return write(b);
  }
  [[nodiscard]] status erase(std::string key) {
    write_batch b;
    b.erase(std::move(key));
    return write(b);
  }
};

[[nodiscard]] std::unique_ptr<kv_store> make_memory_store();

struct rocksdb_options {
  std::string path;
  /// Entries older than this may be dropped by compaction (0 = keep). Readers that need an exact
  /// cut-off store their own timestamps: compaction runs when it runs.
  int64_t ttl_seconds = 0;
  size_t block_cache_bytes = 64 << 20;
};

[[nodiscard]] result<std::unique_ptr<kv_store>> open_rocksdb(const rocksdb_options& opts);

} // namespace freshet::state
