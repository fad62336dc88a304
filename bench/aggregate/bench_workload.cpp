#include "bench/aggregate/bench_workload.hpp"

#include <cstdio>

#include "common/config/metrics_spec.hpp"

namespace freshet::bench::aggregate {

namespace {

const char* streams[] = {"page_view", "add_to_cart", "purchase"};
const char* devices[] = {"desktop", "mobile", "tablet", "tv"};

} // namespace

std::vector<freshet::aggregate::metric_plan> metric_set(int64_t early_every_ms, const std::string& third_dim,
                                                        int64_t allowed_lateness_ms) {
  std::string aggs = R"(
    aggregations:
      - {name: n, count: '*'}
      - {name: amount, sum: amount}
      - {name: avg_amount, avg: amount}
      - {name: users, count_distinct: user_id}
      - {name: amount_q, quantiles: amount, q: [0.5, 0.99]}
)";
  auto common = "    stream: '*'\n    group_by: [_stream, country, " + third_dim + "]\n    allowed_lateness: " +
                std::to_string(allowed_lateness_ms) + "ms\n    out_of_orderness: 2s\n    emit: {early_every: " +
                std::to_string(early_every_ms) + "ms}\n";
  std::string yaml = "metrics:\n  - name: tumbling_1m\n" + common + "    window: {type: tumbling, size: 1m}\n" + aggs +
                     "  - name: hopping_10s\n" + common + "    window: {type: hopping, size: 10s, hop: 2s}\n" + aggs;
  config::pipeline_spec spec;
  spec.name = "bench";
  for (const char* s : streams)
    spec.streams.push_back({s, "", "user_id", "ts"});
  auto decls = config::parse_metrics_spec(yaml, spec);
  if (!decls) {
    std::fprintf(stderr, "bench metric set: %s\n", decls.err().message.c_str());
    std::abort();
  }
  auto plans = freshet::aggregate::plan_metrics({}, *decls);
  if (!plans) {
    std::fprintf(stderr, "bench metric set: %s\n", plans.err().message.c_str());
    std::abort();
  }
  return std::move(*plans);
}

event_source::event_source(event_options opts, uint64_t seed) : opts_(opts), rng_(seed) {}

event_source::dims event_source::dims_of(int64_t i) const {
  // A fixed mix per index, so that producers and checkers agree without storing the events.
  uint64_t h = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 29;
  return {streams[h % 10 < 7 ? 0 : (h % 10 < 9 ? 1 : 2)], "country-" + std::to_string((h >> 8) % 20),
          devices[(h >> 16) % 4]};
}

kafka::consumed_record event_source::record(int64_t i, const std::string& topic) {
  auto t = opts_.start_ms + static_cast<int64_t>(static_cast<double>(i) * opts_.ms_per_event);
  if (opts_.jitter_ms > 0)
    t -= std::uniform_int_distribution<int64_t>{0, opts_.jitter_ms}(rng_);
  return record_at(i, t, topic);
}

kafka::consumed_record event_source::record_at(int64_t i, int64_t event_time, const std::string& topic) {
  auto d = dims_of(i);
  auto user = std::uniform_int_distribution<int64_t>{0, opts_.users - 1}(rng_);
  double amount = std::uniform_real_distribution<double>{1.0, 500.0}(rng_);
  char buf[320];
  std::snprintf(buf, sizeof buf,
                R"({"ts":%lld,"user_id":"u%06lld","country":"%s","device":"%s","amount":%.2f,"url":"/p/%lld"})",
                static_cast<long long>(event_time), static_cast<long long>(user), d.country.c_str(), d.device.c_str(),
                amount, static_cast<long long>(i % 500));
  kafka::consumed_record r;
  r.topic = topic;
  r.partition = static_cast<int32_t>(i % opts_.partitions);
  r.offset = i / opts_.partitions;
  r.timestamp_ms = event_time;
  r.key = "u" + std::to_string(user);
  r.value = buf;
  r.headers = {{kafka::headers::stream, d.stream}};
  return r;
}

std::string memory_state::key_of(const kafka::topic_partition& in, std::string_view key) {
  return std::to_string(in.partition) + '\x1f' + std::string{key};
}

result<std::optional<std::string>> memory_state::get(const kafka::topic_partition& in, std::string_view key) {
  auto k = key_of(in, key);
  if (auto it = pending_.find(k); it != pending_.end())
    return it->second;
  if (auto it = committed_.find(k); it != committed_.end())
    return std::optional<std::string>{it->second};
  return std::optional<std::string>{};
}

void memory_state::put(const kafka::topic_partition& in, std::string_view key, std::string value) {
  ++writes_;
  pending_[key_of(in, key)] = std::move(value);
}

void memory_state::erase(const kafka::topic_partition& in, std::string_view key) {
  ++writes_;
  pending_[key_of(in, key)] = std::nullopt;
}

status memory_state::scan(const kafka::topic_partition& in, std::string_view prefix,
                          const std::function<bool(std::string_view, std::string_view)>& fn) {
  auto p = key_of(in, "");
  auto full = p + std::string{prefix};
  for (auto it = committed_.lower_bound(full); it != committed_.end() && it->first.starts_with(full); ++it)
    if (!fn(std::string_view{it->first}.substr(p.size()), it->second))
      break;
  return {};
}

uint64_t memory_state::generation(const kafka::topic_partition& in) const {
  for (const auto& tp : held_)
    if (tp == in)
      return 1;
  return 0;
}

void memory_state::commit() {
  for (auto& [k, v] : pending_) {
    auto it = committed_.find(k);
    if (it != committed_.end())
      bytes_ -= it->first.size() + it->second.size();
    if (v) {
      bytes_ += k.size() + v->size();
      committed_[k] = std::move(*v);
    } else if (it != committed_.end()) {
      committed_.erase(it);
    }
  }
  pending_.clear();
}

} // namespace freshet::bench::aggregate
