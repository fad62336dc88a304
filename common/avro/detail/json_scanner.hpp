#pragma once

// A single-pass JSON tokenizer over a contiguous buffer: no DOM, no allocation on the common path.
// Strings without escapes come back as views into the input; escaped ones are decoded into `tmp`.
// UTF-8 is validated as strings are scanned. Used by the JSON -> Avro encoder and its fuzz target.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/avro/errc.hpp"

namespace freshet::avro::detail {

/// A scanned JSON number: its text, and when it is an integer literal, its value.
struct json_number {
  std::string_view text;
  bool integer = false;  ///< no fraction, no exponent
  bool overflow = false; ///< integer literal outside int64
  bool negative = false;
  int64_t value = 0;
};

struct json_scanner {
  const char* p = nullptr;
  const char* end = nullptr;
  std::string tmp; ///< decoded escaped strings
  errc fail_code{};
  std::string fail_message;

  bool fail(errc code, std::string msg) {
    fail_code = code;
    fail_message = std::move(msg);
    return false;
  }

  void skip_ws() {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
      ++p;
  }
  /// Next non-space byte, or 0 at the end.
  char peek() {
    skip_ws();
    return p < end ? *p : '\0';
  }
  bool expect(char c) {
    if (peek() != c)
      return fail(errc::malformed_json, describe_unexpected(c));
    ++p;
    return true;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0)
      return fail(errc::malformed_json, "invalid literal");
    p += word.size();
    return true;
  }

  std::string describe_unexpected(char wanted) const {
    std::string m = "expected '";
    m += wanted;
    m += "'";
    if (p >= end)
      return m + " but the input ended";
    m += " but found '";
    m += (static_cast<unsigned char>(*p) >= 0x20 && static_cast<unsigned char>(*p) < 0x7f) ? *p : '?';
    return m + "'";
  }

  /// Scans the string starting at `p` (which is at '"'). `out` views the decoded text.
  bool string(std::string_view& out);
  /// Scans a number starting at `p`.
  bool number(json_number& out);
  /// Skips one value (validating it), `depth` counting from the caller's nesting.
  bool skip_value(int depth, int max_depth);
  /// Validates one multi-byte UTF-8 sequence at `q` (first byte >= 0x80) and steps past it.
  bool utf8_sequence(const char*& q);

 private:
  bool escaped_string(const char* start, std::string_view& out);
};

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

/// Appends the UTF-8 encoding of `cp` to `out`.
void append_utf8(std::string& out, uint32_t cp);

/// Decodes UTF-8 text into bytes when every code point is <= U+00FF (Avro JSON's bytes); false otherwise.
bool latin1_to_bytes(std::string_view text, std::string& bytes);

} // namespace freshet::avro::detail
