#include <map>

#include "common/state/kv_store.hpp"

namespace freshet::state {

namespace {

class memory_store final : public kv_store {
 public:
  result<std::optional<std::string>> get(std::string_view key) override {
    auto it = data_.find(key);
    if (it == data_.end())
      return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
  }

  status write(const write_batch& batch) override {
    for (const auto& op : batch.ops) {
      if (op.value) {
        auto [it, fresh] = data_.insert_or_assign(op.key, *op.value);
        (void) it;
        (void) fresh;
      } else {
        data_.erase(op.key);
      }
    }
    return {};
  }

  status scan(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) override {
    for (auto it = data_.lower_bound(prefix); it != data_.end() && std::string_view{it->first}.starts_with(prefix);
         ++it)
      if (!fn(it->first, it->second))
        break;
    return {};
  }

  status clear() override {
    data_.clear();
    return {};
  }

  uint64_t approximate_bytes() override {
    uint64_t n = 0;
    for (const auto& [k, v] : data_)
      n += k.size() + v.size();
    return n;
  }

 private:
  std::map<std::string, std::string, std::less<>> data_;
};

} // namespace

std::unique_ptr<kv_store> make_memory_store() {
  return std::make_unique<memory_store>();
}

} // namespace freshet::state
