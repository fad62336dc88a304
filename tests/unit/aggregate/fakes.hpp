#pragma once

// Stand-ins for the aggregate processor's surroundings, with the semantics of the real ones:
// `fake_state` is a stage_state whose writes commit or abort (with generations, like
// stream::detail::changelog_state), and `fake_sink` is a serving store with versioned writes and
// tombstones (like serving::metric_store).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/serving/metric_store.hpp"
#include "common/serving/rollup_codec.hpp"
#include "common/stream/stage_state.hpp"
#include "services/aggregate/serving_writer.hpp"

namespace freshet::aggregate::test {

class fake_state final : public stream::stage_state {
 public:
  result<std::optional<std::string>> get(const kafka::topic_partition& in, std::string_view key) override {
    auto k = store_key(in, key);
    if (auto it = pending.find(k); it != pending.end())
      return it->second;
    if (auto it = committed.find(k); it != committed.end())
      return std::optional<std::string>{it->second};
    return std::optional<std::string>{};
  }
  void put(const kafka::topic_partition& in, std::string_view key, std::string value) override {
    ++writes;
    pending[store_key(in, key)] = std::move(value);
  }
  void erase(const kafka::topic_partition& in, std::string_view key) override {
    ++writes;
    pending[store_key(in, key)] = std::nullopt;
  }
  status scan(const kafka::topic_partition& in, std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    ++scans;
    auto p = store_key(in, "");
    auto full = p + std::string{prefix};
    for (auto it = committed.lower_bound(full); it != committed.end() && it->first.starts_with(full); ++it)
      if (!fn(std::string_view{it->first}.substr(p.size()), it->second))
        break;
    return {};
  }
  uint64_t generation(const kafka::topic_partition& in) const override {
    auto it = held_.find(in.partition);
    return it == held_.end() ? 0 : std::max(it->second, aborted_at);
  }

  std::vector<kafka::topic_partition> held() const override {
    std::vector<kafka::topic_partition> out;
    for (const auto& [p, gen] : held_)
      out.push_back({topic, p});
    return out;
  }

  void assign(int32_t p) { held_[p] = ++next_generation; }
  void revoke(int32_t p) { held_.erase(p); }
  void commit() {
    for (auto& [k, v] : pending) {
      if (v)
        committed[k] = std::move(*v);
      else
        committed.erase(k);
    }
    pending.clear();
  }
  void abort() {
    pending.clear();
    aborted_at = ++next_generation;
  }
  /// Committed keys of one partition starting with `prefix`.
  [[nodiscard]] size_t count(int32_t p, std::string_view prefix) const {
    auto full = std::to_string(p) + '\x1f' + std::string{prefix};
    size_t n = 0;
    for (auto it = committed.lower_bound(full); it != committed.end() && it->first.starts_with(full); ++it)
      ++n;
    return n;
  }

  std::map<std::string, std::string> committed;
  std::map<std::string, std::optional<std::string>> pending;
  std::map<int32_t, uint64_t> held_;
  std::string topic = "events.enriched";
  uint64_t next_generation = 1;
  uint64_t aborted_at = 0;
  size_t writes = 0;
  size_t scans = 0;

 private:
  static std::string store_key(const kafka::topic_partition& in, std::string_view key) {
    return std::to_string(in.partition) + '\x1f' + std::string{key};
  }
};

/// Versioned like metric_store: per (metric, window, field) the highest revision wins; a session's
/// `replaces` leave tombstones.
class fake_sink final : public serving_sink {
 public:
  result<serving::metric_store::write_report> write(std::span<const v1::Rollup> rollups) override {
    if (fail)
      return make_error(error_domain::redis, 1, "down", true);
    serving::metric_store::write_report rep;
    for (const auto& r : rollups) {
      std::vector<std::string> dims(r.dims().begin(), r.dims().end());
      auto field = serving::rollup_field(dims, r.source_partition());
      for (const auto& b : r.replaces())
        if (b.start_ms() != r.window_start_ms() || b.end_ms() != r.window_end_ms())
          put({r.metric(), b.start_ms(), b.end_ms(), field}, r.revision(), std::nullopt);
      if (put({r.metric(), r.window_start_ms(), r.window_end_ms(), field}, r.revision(), r))
        ++rep.written;
      else
        ++rep.stale;
    }
    ++calls;
    return rep;
  }

  /// Every stored (non-tombstone) rollup of a metric.
  [[nodiscard]] std::vector<v1::Rollup> of(const std::string& metric) const {
    std::vector<v1::Rollup> out;
    for (const auto& [k, v] : stored)
      if (std::get<0>(k) == metric && v.second)
        out.push_back(*v.second);
    return out;
  }

  using key = std::tuple<std::string, int64_t, int64_t, std::string>;
  std::map<key, std::pair<uint64_t, std::optional<v1::Rollup>>> stored;
  bool fail = false;
  size_t calls = 0;

 private:
  bool put(const key& k, uint64_t rev, std::optional<v1::Rollup> r) {
    auto it = stored.find(k);
    if (it != stored.end() && it->second.first >= rev)
      return false;
    stored[k] = {rev, std::move(r)};
    return true;
  }
};

} // namespace freshet::aggregate::test
