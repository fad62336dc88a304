#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

/// Reading numbers from Delta log JSON that other writers made.
namespace freshet::lake::detail {

/// `v` as T. An integer must fit T: a JSON integer in range, or a float with an integral value in
/// range; anything else throws (`std::out_of_range` for a number that does not fit, nlohmann's
/// `type_error` for a value that is no number), never a conversion that overflows.
template <class T>
T json_value_as(const nlohmann::json& v, const char* key) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    constexpr auto lo = std::numeric_limits<T>::min();
    constexpr auto hi = std::numeric_limits<T>::max();
    if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(hi))
      return static_cast<T>(v.get<uint64_t>());
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() >= lo && v.get<int64_t>() <= hi)
      return static_cast<T>(v.get<int64_t>());
    if (v.is_number_float()) {
      double d = v.get<double>(); // [lo, -lo) is exactly T's range (signed T), both ends exact in a double
      if (d >= static_cast<double>(lo) && d < -static_cast<double>(lo) && d == std::trunc(d))
        return static_cast<T>(d);
    }
    if (v.is_number())
      throw std::out_of_range(std::string{"'"} + key + "' is " + v.dump() + ", not an integer that fits");
  }
  return v.get<T>();
}

/// The member `key` of object `o` as T, or `fallback` when it is absent or null.
template <class T>
T json_member_or(const nlohmann::json& o, const char* key, T fallback) {
  auto it = o.find(key);
  return it == o.end() || it->is_null() ? fallback : json_value_as<T>(*it, key);
}

} // namespace freshet::lake::detail
