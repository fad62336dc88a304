#include "services/registry/memory_store.hpp"

#include <mutex>

namespace freshet::registry {

void memory_store::read(const state_reader& fn) const {
  std::shared_lock lock{mu_};
  fn(state_);
}

status memory_store::write(const write_planner& plan) {
  std::unique_lock lock{mu_};
  auto records = plan(state_);
  if (!records)
    return records.err();
  for (const auto& r : *records) {
    auto enc = encode(r);
    auto dec = decode(enc.key, enc.value);
    if (!dec)
      return dec.err();
    log_.push_back(std::move(enc));
    state_.apply(*dec);
  }
  return {};
}

std::vector<encoded_record> memory_store::log() const {
  std::shared_lock lock{mu_};
  return log_;
}

} // namespace freshet::registry
