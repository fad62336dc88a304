#include "services/quality-gate/state_dedupe.hpp"

#include <charconv>
#include <vector>

namespace freshet::quality_gate {

namespace {

constexpr const char* prefix = "eid\x1f";

int64_t parse_ms(std::string_view v) {
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

} // namespace

std::string state_dedupe::entry(const dedupe_key& key) {
  std::string k{prefix};
  k.append(key.stream).push_back('\x1f');
  k.append(key.id);
  return k;
}

result<bool> state_dedupe::seen(const dedupe_key& key) {
  partitions_.insert(key.input);
  auto v = state_->get(key.input, entry(key));
  if (!v)
    return v.err();
  return v->has_value() && parse_ms(**v) > key.at_ms;
}

void state_dedupe::remember(const dedupe_key& key) {
  state_->put(key.input, entry(key), std::to_string(key.at_ms + key.window_ms));
}

void state_dedupe::sweep(int64_t now_ms) {
  for (const auto& tp : partitions_) {
    auto& last = last_sweep_ms_[tp];
    if (now_ms - last < 60000)
      continue;
    last = now_ms;
    std::vector<std::string> expired;
    (void) state_->scan(tp, prefix, [&](std::string_view k, std::string_view v) {
      if (parse_ms(v) <= now_ms)
        expired.emplace_back(k);
      return expired.size() < 10000; // bounded work per sweep; the rest goes next time
    });
    for (const auto& k : expired)
      state_->erase(tp, k);
  }
}

} // namespace freshet::quality_gate
