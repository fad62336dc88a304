#include "common/stream/detail/changelog_state.hpp"

#include <cstdio>

#include <librdkafka/rdkafkacpp.h>

#include "common/base/clock.hpp"
#include "common/kafka/consumer.hpp"
#include "common/log/logger.hpp"

namespace freshet::stream::detail {

namespace {

constexpr char sep = '\x1f';

/// The "<topic>\x1f<partition>\x1f" prefix of a store key ("" when malformed).
std::string_view prefix_of(std::string_view store_key) {
  auto a = store_key.find(sep);
  auto b = a == std::string_view::npos ? a : store_key.find(sep, a + 1);
  return b == std::string_view::npos ? std::string_view{} : store_key.substr(0, b + 1);
}

} // namespace

changelog_state::changelog_state(std::unique_ptr<state::kv_store> store, std::string changelog_topic,
                                 kafka::config_map restore_consumer, std::shared_ptr<spdlog::logger> logger)
    : store_(std::move(store)),
      changelog_topic_(std::move(changelog_topic)),
      restore_consumer_(std::move(restore_consumer)),
      logger_(std::move(logger)) {}

std::string changelog_state::partition_prefix(const kafka::topic_partition& tp) {
  return tp.topic + sep + std::to_string(tp.partition) + sep;
}

std::string changelog_state::checkpoint_key(const kafka::topic_partition& tp) {
  // '\x1e' cannot start a topic name, so no partition's entries share this prefix.
  return "\x1e" + tp.topic + sep + std::to_string(tp.partition);
}

std::optional<int64_t> changelog_state::checkpoint_of(const kafka::topic_partition& tp) {
  auto v = store_->get(checkpoint_key(tp));
  if (!v || !v->has_value())
    return std::nullopt;
  long long offset = -1, written_ms = 0;
  if (std::sscanf((*v)->c_str(), "%lld %lld", &offset, &written_ms) != 2 || offset < 0)
    return std::nullopt;
  if (now_ms() - written_ms > checkpoint_max_age_ms)
    return std::nullopt;
  return offset;
}

std::function<void(const kafka::delivery_report&)> changelog_state::delivery_observer() const {
  return [d = delivered_](const kafka::delivery_report& r) {
    if (r.partition < 0 || r.offset < 0)
      return;
    std::lock_guard lock{d->mu};
    auto& next = d->next[r.partition];
    next = std::max(next, r.offset + 1);
  };
}

std::string changelog_state::store_key(const kafka::topic_partition& tp, std::string_view key) {
  return partition_prefix(tp) + std::string{key};
}

result<std::optional<std::string>> changelog_state::get(const kafka::topic_partition& input, std::string_view key) {
  auto k = store_key(input, key);
  if (auto it = pending_.find(k); it != pending_.end())
    return it->second.value;
  return store_->get(k);
}

void changelog_state::put(const kafka::topic_partition& input, std::string_view key, std::string value) {
  pending_.insert_or_assign(store_key(input, key), pending_write{input.partition, std::move(value)});
}

void changelog_state::erase(const kafka::topic_partition& input, std::string_view key) {
  pending_.insert_or_assign(store_key(input, key), pending_write{input.partition, std::nullopt});
}

status changelog_state::scan(const kafka::topic_partition& input, std::string_view prefix,
                             const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto p = partition_prefix(input);
  return store_->scan(p + std::string{prefix}, [&](std::string_view k, std::string_view v) {
    return fn(k.substr(p.size()), v);
  });
}

uint64_t changelog_state::generation(const kafka::topic_partition& input) const {
  auto it = held_.find(input);
  return it == held_.end() ? 0 : std::max(it->second, aborted_at_);
}

std::vector<kafka::topic_partition> changelog_state::held() const {
  std::vector<kafka::topic_partition> out;
  out.reserve(held_.size());
  for (const auto& [tp, gen] : held_)
    out.push_back(tp);
  return out;
}

std::vector<kafka::outgoing_record> changelog_state::take_changelog() {
  std::vector<kafka::outgoing_record> out;
  out.reserve(pending_.size());
  for (const auto& [k, w] : pending_) {
    if (w.value)
      out.push_back({changelog_topic_, w.partition, k, *w.value, {}, 0});
    else
      out.push_back({changelog_topic_, w.partition, k, "", {}, 0, /*tombstone=*/true});
  }
  return out;
}

status changelog_state::committed() {
  state::write_batch batch;
  for (auto& [k, w] : pending_) {
    if (w.value)
      batch.put(k, std::move(*w.value));
    else
      batch.erase(k);
  }
  pending_.clear();
  // The held partitions' entries are now current up to our last delivered changelog record (a
  // report still on its way only makes the checkpoint lower: more to read again, never less).
  std::map<int32_t, int64_t> next;
  {
    std::lock_guard lock{delivered_->mu};
    next = delivered_->next;
  }
  const auto stamp = " " + std::to_string(now_ms());
  for (const auto& [tp, gen] : held_)
    if (auto it = next.find(tp.partition); it != next.end())
      batch.put(checkpoint_key(tp), std::to_string(it->second) + stamp);
  return store_->write(batch);
}

void changelog_state::aborted() {
  pending_.clear();
  aborted_at_ = ++next_generation_;
}

void changelog_state::release(const std::vector<kafka::topic_partition>& parts) {
  for (const auto& tp : parts)
    held_.erase(tp);
}

void changelog_state::drop_entries(const kafka::topic_partition& tp) {
  state::write_batch batch;
  batch.erase(checkpoint_key(tp));
  (void) store_->scan(partition_prefix(tp), [&](std::string_view k, std::string_view) {
    batch.erase(std::string{k});
    return true;
  });
  if (auto s = store_->write(batch); !s.ok())
    FRESHET_LOG(warn, logger_, "dropping state of {}[{}]: {}", tp.topic, tp.partition, s.err().describe());
}

result<std::pair<size_t, double>> changelog_state::restore(const std::vector<kafka::topic_partition>& parts) {
  if (parts.empty())
    return std::pair<size_t, double>{0, 0.0};
  auto started = mono_ns();
  auto c = kafka::consumer::create(restore_consumer_);
  if (!c)
    return c.err();
  // One changelog partition per input partition number (several inputs may share one). Each input
  // is read from its checkpoint when the local entries have a usable one, else from the beginning.
  std::map<int32_t, std::pair<int64_t, int64_t>> marks; // changelog partition -> low, high
  for (const auto& tp : parts) {
    if (marks.contains(tp.partition))
      continue;
    int64_t low = 0, high = 0;
    auto code = (*c)->handle().query_watermark_offsets(changelog_topic_, tp.partition, &low, &high, 10000);
    if (code != RdKafka::ERR_NO_ERROR)
      return make_error(error_domain::kafka, code,
                        "changelog " + changelog_topic_ + " watermarks: " + RdKafka::err2str(code), true);
    marks[tp.partition] = {low, high};
  }
  std::map<std::string, int64_t, std::less<>> from; // input prefix -> first changelog offset to apply
  std::map<int32_t, int64_t> start;                  // changelog partition -> first offset to read
  size_t reused = 0;
  for (const auto& tp : parts) {
    auto [low, high] = marks[tp.partition];
    auto ck = checkpoint_of(tp);
    int64_t first = low;
    if (ck && *ck >= low && *ck <= high) {
      first = *ck;
      ++reused;
    } else {
      drop_entries(tp);
    }
    from[partition_prefix(tp)] = first;
    auto [it, fresh] = start.try_emplace(tp.partition, first);
    if (!fresh)
      it->second = std::min(it->second, first);
  }
  std::vector<RdKafka::TopicPartition*> assign;
  std::map<int32_t, int64_t> end;
  for (auto [p, first] : start) {
    const int64_t high = marks[p].second;
    if (high > first) {
      end[p] = high;
      assign.push_back(RdKafka::TopicPartition::create(changelog_topic_, p, first));
    }
  }
  size_t restored = 0;
  if (!assign.empty()) {
    (*c)->handle().assign(assign);
    RdKafka::TopicPartition::destroy(assign);
    auto deadline = mono_ns() + 300LL * 1000000000;
    while (!end.empty() && mono_ns() < deadline) {
      auto batch = (*c)->poll_batch(10000, 200);
      if (!batch)
        return batch.err();
      state::write_batch wb;
      for (const auto& r : *batch) {
        // Only this instance's new partitions (a changelog partition may also hold other inputs'),
        // and only past what their local entries already reflect.
        auto f = from.find(prefix_of(r.key));
        if (f != from.end() && r.offset >= f->second) {
          if (r.tombstone)
            wb.erase(r.key);
          else
            wb.put(r.key, r.value);
          ++restored;
        }
        if (auto it = end.find(r.partition); it != end.end() && r.offset + 1 >= it->second)
          end.erase(it);
      }
      FRESHET_TRY(store_->write(wb));
      // With read_committed, aborted records and markers are skipped: the position, not the last
      // record's offset, tells whether the end was reached.
      for (auto it = end.begin(); it != end.end();) {
        std::vector<RdKafka::TopicPartition*> pos{RdKafka::TopicPartition::create(changelog_topic_, it->first)};
        (*c)->handle().position(pos);
        bool done = pos[0]->offset() >= it->second;
        RdKafka::TopicPartition::destroy(pos);
        it = done ? end.erase(it) : std::next(it);
      }
    }
    if (!end.empty())
      return make_error(error_domain::kafka, 1, "changelog restore did not reach the end in time", true);
  }
  (*c)->close();
  // The entries are current up to the end offsets read to.
  state::write_batch checkpoints;
  const auto stamp = " " + std::to_string(now_ms());
  for (const auto& tp : parts) {
    held_[tp] = ++next_generation_;
    checkpoints.put(checkpoint_key(tp), std::to_string(marks[tp.partition].second) + stamp);
  }
  FRESHET_TRY(store_->write(checkpoints));
  double seconds = static_cast<double>(mono_ns() - started) / 1e9;
  FRESHET_LOG(info, logger_, "restored {} state entries for {} partition(s) in {:.3f} s ({} from a local checkpoint)",
              restored, parts.size(), seconds, reused);
  return std::pair<size_t, double>{restored, seconds};
}

} // namespace freshet::stream::detail
