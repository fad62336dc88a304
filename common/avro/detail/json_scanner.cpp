#include "common/avro/detail/json_scanner.hpp"

#include <bit>

namespace freshet::avro::detail {

namespace {

constexpr uint64_t ones = ~uint64_t{0} / 255;
constexpr uint64_t highs = ones * 0x80;

/// A word read from memory with its first byte in the lowest bits, whatever the machine.
inline uint64_t le64(uint64_t x) {
  if constexpr (std::endian::native == std::endian::big)
    return __builtin_bswap64(x);
  return x;
}

// Nonzero when one of the 8 bytes is '"', '\\', a control byte (< 0x20) or non-ASCII. The lowest
// set bit marks the first such byte exactly (the borrows of these tricks only run upwards), so a
// scan jumps straight to it instead of re-reading the word byte by byte.
inline uint64_t special_mask(uint64_t x) {
  uint64_t quote = x ^ (ones * '"');
  uint64_t slash = x ^ (ones * '\\');
  uint64_t has_quote = (quote - ones) & ~quote & highs;
  uint64_t has_slash = (slash - ones) & ~slash & highs;
  uint64_t has_ctrl = (x - ones * 0x20) & ~x & highs;
  return (x & highs) | has_quote | has_slash | has_ctrl;
}

inline int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool valid_utf8(std::string_view text) {
  json_scanner sc;
  sc.p = text.data();
  sc.end = text.data() + text.size();
  const char* q = sc.p;
  while (q < sc.end) {
    while (sc.end - q >= 8) {
      uint64_t x;
      std::memcpy(&x, q, 8);
      if (x & highs)
        break;
      q += 8;
    }
    if (q >= sc.end)
      break;
    if (static_cast<unsigned char>(*q) < 0x80)
      ++q;
    else if (!sc.utf8_sequence(q))
      return false;
  }
  return true;
}

bool latin1_to_bytes(std::string_view text, std::string& bytes) {
  bytes.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      bytes.push_back(static_cast<char>(c));
    } else if ((c == 0xc2 || c == 0xc3) && i + 1 < text.size()) {
      bytes.push_back(static_cast<char>(((c & 0x1f) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3f)));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

// Validates one multi-byte UTF-8 sequence at q (first byte >= 0x80) and advances past it.
bool json_scanner::utf8_sequence(const char*& q) {
  auto b = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(q[i]); };
  std::ptrdiff_t left = end - q;
  unsigned char c = b(0);
  auto cont = [&](std::ptrdiff_t i) { return i < left && (b(i) & 0xc0) == 0x80; };
  if (c >= 0xc2 && c <= 0xdf) {
    if (!cont(1))
      return fail(errc::invalid_utf8, "invalid UTF-8 sequence in string");
    q += 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2) || (c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f))
      return fail(errc::invalid_utf8, "invalid UTF-8 sequence in string");
    q += 3;
  } else if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3) || (c == 0xf0 && b(1) < 0x90) || (c == 0xf4 && b(1) > 0x8f))
      return fail(errc::invalid_utf8, "invalid UTF-8 sequence in string");
    q += 4;
  } else {
    return fail(errc::invalid_utf8, "invalid UTF-8 byte in string");
  }
  return true;
}

bool json_scanner::string(std::string_view& out) {
  const char* start = ++p; // past the opening quote
  const char* q = start;
  while (true) {
    while (end - q >= 8) {
      uint64_t x;
      std::memcpy(&x, q, 8);
      if (x = le64(x); auto m = special_mask(x)) {
        q += std::countr_zero(m) / 8;
        break;
      }
      q += 8;
    }
    if (q >= end)
      return fail(errc::malformed_json, "unterminated string");
    auto c = static_cast<unsigned char>(*q);
    if (c == '"') {
      out = std::string_view{start, static_cast<std::size_t>(q - start)};
      p = q + 1;
      return true;
    }
    if (c == '\\')
      return escaped_string(start, out);
    if (c < 0x20)
      return fail(errc::malformed_json, "control character in string");
    if (c >= 0x80) {
      if (!utf8_sequence(q))
        return false;
    } else {
      ++q;
    }
  }
}

bool json_scanner::escaped_string(const char* start, std::string_view& out) {
  tmp.clear();
  const char* q = start;
  while (true) {
    if (q >= end)
      return fail(errc::malformed_json, "unterminated string");
    auto c = static_cast<unsigned char>(*q);
    if (c == '"')
      break;
    if (c < 0x20)
      return fail(errc::malformed_json, "control character in string");
    if (c >= 0x80) {
      const char* s = q;
      if (!utf8_sequence(q))
        return false;
      tmp.append(s, static_cast<std::size_t>(q - s));
      continue;
    }
    if (c != '\\') {
      tmp.push_back(static_cast<char>(c));
      ++q;
      continue;
    }
    if (end - q < 2)
      return fail(errc::malformed_json, "unterminated escape");
    char e = q[1];
    q += 2;
    switch (e) {
      case '"': tmp.push_back('"'); break;
      case '\\': tmp.push_back('\\'); break;
      case '/': tmp.push_back('/'); break;
      case 'b': tmp.push_back('\b'); break;
      case 'f': tmp.push_back('\f'); break;
      case 'n': tmp.push_back('\n'); break;
      case 'r': tmp.push_back('\r'); break;
      case 't': tmp.push_back('\t'); break;
      case 'u': {
        auto hex4 = [&](uint32_t& v) {
          if (end - q < 4)
            return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex_digit(q[i]);
            if (h < 0)
              return false;
            v = (v << 4) | static_cast<uint32_t>(h);
          }
          q += 4;
          return true;
        };
        uint32_t cp = 0;
        if (!hex4(cp))
          return fail(errc::malformed_json, "bad \\u escape");
        if (cp >= 0xdc00 && cp <= 0xdfff)
          return fail(errc::invalid_utf8, "lone low surrogate escape in string");
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t lo = 0;
          if (end - q < 2 || q[0] != '\\' || q[1] != 'u')
            return fail(errc::invalid_utf8, "lone high surrogate escape in string");
          q += 2;
          if (!hex4(lo))
            return fail(errc::malformed_json, "bad \\u escape");
          if (lo < 0xdc00 || lo > 0xdfff)
            return fail(errc::invalid_utf8, "high surrogate not followed by a low surrogate");
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        append_utf8(tmp, cp);
        break;
      }
      default: return fail(errc::malformed_json, "bad escape character in string");
    }
  }
  out = tmp;
  p = q + 1;
  return true;
}

bool json_scanner::number(json_number& n) {
  const char* start = p;
  const char* q = p;
  n = json_number{};
  if (q < end && *q == '-') {
    n.negative = true;
    ++q;
  }
  if (q >= end || *q < '0' || *q > '9')
    return fail(errc::malformed_json, "invalid number");
  uint64_t mag = 0;
  bool big = false;
  if (*q == '0') {
    ++q;
  } else {
    while (q < end && *q >= '0' && *q <= '9') {
      auto d = static_cast<uint64_t>(*q - '0');
      if (mag > (UINT64_MAX - d) / 10)
        big = true;
      else
        mag = mag * 10 + d;
      ++q;
    }
  }
  n.integer = true;
  if (q < end && *q == '.') {
    n.integer = false;
    ++q;
    if (q >= end || *q < '0' || *q > '9')
      return fail(errc::malformed_json, "invalid number: digits must follow '.'");
    while (q < end && *q >= '0' && *q <= '9')
      ++q;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    n.integer = false;
    ++q;
    if (q < end && (*q == '+' || *q == '-'))
      ++q;
    if (q >= end || *q < '0' || *q > '9')
      return fail(errc::malformed_json, "invalid number: digits must follow the exponent");
    while (q < end && *q >= '0' && *q <= '9')
      ++q;
  }
  n.text = std::string_view{start, static_cast<std::size_t>(q - start)};
  if (n.integer) {
    if (big || mag > (n.negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1))
      n.overflow = true;
    else
      n.value = n.negative ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  }
  p = q;
  return true;
}

bool json_scanner::skip_value(int depth, int max_depth) {
  char c = peek();
  switch (c) {
    case '"': {
      std::string_view s;
      return string(s);
    }
    case 't': return literal("true");
    case 'f': return literal("false");
    case 'n': return literal("null");
    case '[':
    case '{': {
      if (depth >= max_depth)
        return fail(errc::too_deep, "JSON nested deeper than " + std::to_string(max_depth));
      bool object = c == '{';
      ++p;
      if (peek() == (object ? '}' : ']')) {
        ++p;
        return true;
      }
      while (true) {
        if (object) {
          if (peek() != '"')
            return fail(errc::malformed_json, "expected an object key");
          std::string_view k;
          if (!string(k) || !expect(':'))
            return false;
        }
        if (!skip_value(depth + 1, max_depth))
          return false;
        char sep = peek();
        if (p >= end)
          return fail(errc::malformed_json, "unexpected end of input");
        ++p;
        if (sep == (object ? '}' : ']'))
          return true;
        if (sep != ',')
          return fail(errc::malformed_json, object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    default: {
      if (c == '-' || (c >= '0' && c <= '9')) {
        json_number n;
        return number(n);
      }
      return fail(errc::malformed_json, p >= end ? "unexpected end of input" : "unexpected character");
    }
  }
}

} // namespace freshet::avro::detail
