#include "common/window/hash.hpp"

namespace freshet::window {

namespace {

uint64_t load_le(const char* p, size_t n) {
  uint64_t w = 0;
  for (size_t i = 0; i < n; ++i)
    w |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return w;
}

constexpr uint64_t golden = 0x9e3779b97f4a7c15ULL;

} // namespace

uint64_t stable_hash(std::string_view bytes, uint64_t seed) {
  // Each 8-byte word is multiplied by an odd constant (a bijection) and folded into a state that is
  // re-mixed after every word; the length enters first, so zero padding of the tail is unambiguous.
  uint64_t h = mix64(seed ^ (static_cast<uint64_t>(bytes.size()) * golden));
  const char* p = bytes.data();
  size_t n = bytes.size();
  while (n >= 8) {
    h = mix64(h ^ (load_le(p, 8) * golden));
    p += 8;
    n -= 8;
  }
  if (n > 0)
    h = mix64(h ^ (load_le(p, n) * golden) ^ 0x5555555555555555ULL);
  return mix64(h + golden);
}

} // namespace freshet::window
