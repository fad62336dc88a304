#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace freshet::parquet::detail {

/// An append-only byte buffer for the column writer's per-value staging. `std::string::append` is an
/// out-of-line call with length checks; this appends fixed-width values with one inlined store and
/// grows geometrically, so a page's values cost a compare and a copy each. Single-owner.
class byte_buffer {
 public:
  void append(const void* p, size_t n) {
    if (capacity_ - size_ < n)
      grow(n);
    std::memcpy(data_.get() + size_, p, n);
    size_ += n;
  }
  template <class T>
  void put(T v) {
    append(&v, sizeof v);
  }
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const char* data() const { return data_.get(); }
  [[nodiscard]] std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }

 private:
  void grow(size_t n) {
    const size_t capacity = std::max({size_ + n, capacity_ * 2, size_t{4096}});
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0)
      std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

} // namespace freshet::parquet::detail
