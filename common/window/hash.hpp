#pragma once

#include <cstdint>
#include <string_view>

namespace freshet::window {

/// A 64-bit finalizer with full avalanche (the splitmix64 output function).
[[nodiscard]] constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// A stable 64-bit hash of bytes: the same on every platform, compiler and run. Sketches stored in
/// Redis or RocksDB are merged across processes and releases, so this function is part of their
/// format and must never change (std::hash may differ between standard libraries).
[[nodiscard]] uint64_t stable_hash(std::string_view bytes, uint64_t seed = 0);

} // namespace freshet::window
