#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace freshet {

/// A value with a tag, so that a partition can never be passed where an offset is expected.
template <class T, class Tag>
class strong {
 public:
  using value_type = T;
  constexpr strong() = default;
  constexpr explicit strong(T v) : value_(v) {}
  [[nodiscard]] constexpr T value() const { return value_; }
  constexpr auto operator<=>(const strong&) const = default;

 private:
  T value_{};
};

using partition_id = strong<int32_t, struct partition_id_tag>;
using kafka_offset = strong<int64_t, struct kafka_offset_tag>;
using schema_id = strong<int32_t, struct schema_id_tag>;
using epoch = strong<int64_t, struct epoch_tag>;
/// Milliseconds since the Unix epoch, UTC.
using timestamp_ms = strong<int64_t, struct timestamp_ms_tag>;

} // namespace freshet

template <class T, class Tag>
struct std::hash<freshet::strong<T, Tag>> {
  size_t operator()(const freshet::strong<T, Tag>& s) const noexcept { return std::hash<T>{}(s.value()); }
};
