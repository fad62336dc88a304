#include "common/avro/value.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace freshet::avro {

const value* value::field(std::string_view name) const {
  for (std::size_t i = 0; i < keys.size() && i < items.size(); ++i)
    if (keys[i] == name)
      return &items[i];
  return nullptr;
}

bool operator==(const value& a, const value& b) {
  if (a.kind != b.kind)
    return false;
  switch (a.kind) {
    case type::null: return true;
    case type::boolean: return a.boolean == b.boolean;
    case type::int_:
    case type::long_: return a.integer == b.integer;
    case type::float_:
    case type::double_:
      return (std::isnan(a.real) && std::isnan(b.real)) || std::memcmp(&a.real, &b.real, sizeof a.real) == 0;
    case type::bytes:
    case type::string:
    case type::fixed: return a.bytes == b.bytes;
    case type::enum_: return a.integer == b.integer && a.bytes == b.bytes;
    case type::union_: return a.integer == b.integer && a.items == b.items;
    case type::array: return a.items == b.items;
    case type::map:
    case type::record: return a.keys == b.keys && a.items == b.items;
  }
  return false;
}

namespace {

// Length of the valid UTF-8 sequence at s[i] (first byte >= 0x80), 0 when invalid.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  auto cont = [&](std::size_t k) { return (b(k) & 0xc0) == 0x80; };
  unsigned c = b(0);
  if (c >= 0xc2 && c <= 0xdf)
    return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef)
    return cont(1) && cont(2) && !(c == 0xe0 && b(1) < 0xa0) && !(c == 0xed && b(1) > 0x9f) ? 3 : 0;
  if (c >= 0xf0 && c <= 0xf4)
    return cont(1) && cont(2) && cont(3) && !(c == 0xf0 && b(1) < 0x90) && !(c == 0xf4 && b(1) > 0x8f) ? 4 : 0;
  return 0;
}

// Strings are UTF-8; a string that is not (bytes promoted to string) shows each bad byte as \u00XX.
void json_string(std::string& out, std::string_view s, bool bytes) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!bytes && c >= 0x80) {
      if (std::size_t n = utf8_len(s, i)) {
        out.append(s.substr(i, n));
        i += n - 1;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || (bytes && c >= 0x7f) || c >= 0x80) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

template <class F>
void json_real(std::string& out, F x) {
  if (std::isnan(x)) {
    out += "\"NaN\"";
  } else if (std::isinf(x)) {
    out += x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
    std::string_view s{buf, static_cast<std::size_t>(end - buf)};
    out += s;
    if (s.find_first_of(".eE") == std::string_view::npos)
      out += ".0"; // keep it a JSON number that reads back as floating point
  }
}

void write(std::string& out, const value& v, union_style style) {
  switch (v.kind) {
    case type::null: out += "null"; return;
    case type::boolean: out += v.boolean ? "true" : "false"; return;
    case type::int_:
    case type::long_: out += std::to_string(v.integer); return;
    case type::float_: json_real(out, static_cast<float>(v.real)); return;
    case type::double_: json_real(out, v.real); return;
    case type::string:
    case type::enum_: json_string(out, v.bytes, false); return;
    case type::bytes:
    case type::fixed: json_string(out, v.bytes, true); return;
    case type::array:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i)
          out += ',';
        write(out, v.items[i], style);
      }
      out += ']';
      return;
    case type::map:
    case type::record:
      out += '{';
      for (std::size_t i = 0; i < v.items.size() && i < v.keys.size(); ++i) {
        if (i)
          out += ',';
        json_string(out, v.keys[i], false);
        out += ':';
        write(out, v.items[i], style);
      }
      out += '}';
      return;
    case type::union_: {
      const value& inner = v.unwrapped();
      if (style == union_style::bare || inner.kind == type::null) {
        write(out, inner, style);
        return;
      }
      std::string_view name = to_string(inner.kind);
      if (v.type_node && v.integer >= 0 && static_cast<std::size_t>(v.integer) < v.type_node->branches.size())
        name = v.type_node->branches[static_cast<std::size_t>(v.integer)]->branch_name();
      out += "{";
      json_string(out, name, false);
      out += ':';
      write(out, inner, style);
      out += '}';
      return;
    }
  }
}

} // namespace

std::string to_json(const value& v, union_style style) {
  std::string out;
  write(out, v, style);
  return out;
}

} // namespace freshet::avro
