#include "common/lake/detail/uuid.hpp"

#include <random>

#include <unistd.h>

namespace freshet::lake::detail {

std::string new_uuid() {
  // Reseeded in a forked child: it would otherwise repeat its parent's sequence (and file names).
  thread_local pid_t owner = 0;
  thread_local std::mt19937_64 rng;
  if (owner != ::getpid()) {
    owner = ::getpid();
    std::random_device rd;
    rng.seed((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(owner));
  }
  static const char* hex = "0123456789abcdef";
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // variant 10
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    out += hex[(word >> shift) & 15];
    if (i == 7 || i == 11 || i == 15 || i == 19)
      out += '-';
  }
  return out;
}

} // namespace freshet::lake::detail
