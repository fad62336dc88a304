#include "common/lake/json_rows.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/event/record.hpp"
#include "common/lake/detail/conversions.hpp"

namespace freshet::lake {

namespace {

using kind = data_type::kind;
using parquet::value;

/// Thrown (and caught in `decode`) when the input leaves the fast path.
struct fallback {};

class parser {
 public:
  parser(std::string_view text, const json_row_decoder& owner) : p_(text.data()), end_(text.data() + text.size()) {
    (void) owner;
  }

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  char peek() {
    ws();
    if (p_ >= end_)
      throw fallback{};
    return *p_;
  }
  void expect(char c) {
    if (peek() != c)
      throw fallback{};
    ++p_;
  }
  [[nodiscard]] bool at_end() {
    ws();
    return p_ == end_;
  }

  /// A key without escapes or dots, as a view into the input.
  std::string_view key() {
    expect('"');
    const char* start = p_;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ == '\\' || *p_ == '.' || static_cast<unsigned char>(*p_) < 0x20)
        throw fallback{};
      ++p_;
    }
    if (p_ >= end_)
      throw fallback{};
    std::string_view k{start, static_cast<size_t>(p_ - start)};
    ++p_;
    expect(':');
    return k;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      const char* start = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
        ++p_;
      out.append(start, static_cast<size_t>(p_ - start));
      if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20)
        throw fallback{};
      if (*p_ == '"') {
        ++p_;
        break;
      }
      ++p_; // backslash
      if (p_ >= end_)
        throw fallback{};
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u')
              throw fallback{};
            p_ += 2;
            uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF)
              throw fallback{};
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            throw fallback{};
          }
          utf8(cp, out);
          break;
        }
        default: throw fallback{};
      }
    }
    return out;
  }

  /// A JSON scalar as a record value (null, bool, int64, double, string); objects and arrays leave.
  event::value scalar() {
    char c = peek();
    if (c == '"')
      return string();
    if (c == 't' || c == 'f' || c == 'n')
      return literal();
    if (c == '-' || (c >= '0' && c <= '9'))
      return number();
    throw fallback{};
  }

  /// The text of the next value (any kind), skipped; `leaf` is set when it holds a non-object value
  /// anywhere (what decides whether a record would have any path under it).
  std::string_view skip(bool& leaf) {
    char c = peek();
    const char* start = p_;
    if (c == '{') {
      ++p_;
      if (peek() == '}') {
        ++p_;
      } else {
        while (true) {
          (void) string(); // keys here may have escapes or dots: they are skipped anyway
          expect(':');
          (void) skip(leaf);
          if (peek() == ',') {
            ++p_;
            continue;
          }
          expect('}');
          break;
        }
      }
    } else if (c == '[') {
      leaf = true;
      ++p_;
      if (peek() == ']') {
        ++p_;
      } else {
        while (true) {
          bool ignored = false;
          (void) skip(ignored);
          if (peek() == ',') {
            ++p_;
            continue;
          }
          expect(']');
          break;
        }
      }
    } else {
      leaf = true;
      (void) scalar();
    }
    return {start, static_cast<size_t>(p_ - start)};
  }

 private:
  event::value literal() {
    auto take = [&](std::string_view word) {
      if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view{p_, word.size()} != word)
        throw fallback{};
      p_ += word.size();
    };
    if (*p_ == 't') {
      take("true");
      return true;
    }
    if (*p_ == 'f') {
      take("false");
      return false;
    }
    take("null");
    return std::monostate{};
  }

  event::value number() {
    const char* start = p_;
    bool integral = true;
    if (*p_ == '-')
      ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9')
      throw fallback{};
    if (*p_ == '0' && p_ + 1 < end_ && p_[1] >= '0' && p_[1] <= '9')
      throw fallback{}; // leading zero
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
      ++p_;
    if (p_ < end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9')
        throw fallback{};
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9')
        throw fallback{};
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
    }
    if (integral) {
      int64_t v = 0;
      auto r = std::from_chars(start, p_, v);
      if (r.ec != std::errc{} || r.ptr != p_)
        throw fallback{}; // beyond int64: a record reads it differently
      return v;
    }
    double d = 0;
    auto r = std::from_chars(start, p_, d);
    if (r.ec != std::errc{} || r.ptr != p_)
      throw fallback{};
    return d;
  }

  uint32_t hex4() {
    if (end_ - p_ < 4)
      throw fallback{};
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        throw fallback{};
    }
    return v;
  }

  static void utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  const char* p_;
  const char* end_;
};

/// Throws the error out of the recursion; `decode` returns it.
struct mapping_error {
  error err;
};

value unwrap(result<value> r) {
  if (!r.ok())
    throw mapping_error{r.err()};
  return std::move(r).value();
}

/// An explicit null: what a record's null path gives.
value null_value(const struct_field& f, const std::string& path) {
  if (f.nullable)
    return value{};
  return unwrap(detail::absent_value(f, path));
}

value struct_value(parser& in, const struct_field& f, const std::string& path, bool& present);

/// The value of column `f` (path `path`) from the next JSON value.
value column_value(parser& in, const struct_field& f, const std::string& path, bool& present) {
  const auto& t = f.type;
  char c = in.peek();
  if (c == 'n') { // null
    (void) in.scalar();
    present = true;
    return null_value(f, path);
  }
  switch (t.k) {
    case kind::struct_:
      if (c != '{')
        throw fallback{};
      return struct_value(in, f, path, present);
    case kind::map: throw fallback{}; // a record flattens map objects into paths: its own rules
    case kind::array: {
      if (c != '[')
        throw fallback{};
      bool leaf = false;
      auto raw = in.skip(leaf);
      present = true;
      return unwrap(detail::convert_event(event::value{std::string{raw}}, t, f.nullable, path));
    }
    default: break;
  }
  if (c == '{' || c == '[')
    throw fallback{};
  present = true;
  auto v = in.scalar();
  // The common exact matches directly; everything else through the record path's conversion.
  if (auto* s = std::get_if<std::string>(&v); s && (t.k == kind::string || t.k == kind::binary))
    return value::bytes(std::move(*s));
  if (auto* i = std::get_if<int64_t>(&v); i && t.k == kind::long_)
    return value::int64(*i);
  if (auto* d = std::get_if<double>(&v); d && t.k == kind::double_)
    return value::float64(*d);
  if (auto* b = std::get_if<bool>(&v); b && t.k == kind::boolean)
    return value::boolean(*b);
  return unwrap(detail::convert_event(v, t, f.nullable, path));
}

/// A struct column given as an object. A record has paths under it only if some leaf (a scalar,
/// null or array) is there: without one the struct counts as absent.
value struct_value(parser& in, const struct_field& f, const std::string& path, bool& present) {
  const auto& members = f.type.fields;
  std::vector<value> values(members.size());
  std::vector<char> seen(members.size(), 0);
  bool leaf = false;
  in.expect('{');
  if (in.peek() == '}') {
    in.expect('}');
  } else {
    while (true) {
      auto k = in.key();
      size_t i = 0;
      while (i < members.size() && members[i].name != k)
        ++i;
      if (i == members.size()) {
        (void) in.skip(leaf);
      } else {
        if (seen[i])
          throw fallback{};
        bool member_present = false;
        values[i] = column_value(in, members[i], path + "." + members[i].name, member_present);
        seen[i] = member_present ? 1 : 2; // 2: an object without leaves, absent like a missing member
        leaf = leaf || member_present;
      }
      if (in.peek() == ',') {
        in.expect(',');
        continue;
      }
      in.expect('}');
      break;
    }
  }
  if (!leaf) {
    present = false;
    return unwrap(detail::absent_value(f, path));
  }
  present = true;
  for (size_t i = 0; i < members.size(); ++i)
    if (seen[i] != 1)
      values[i] = unwrap(detail::absent_value(members[i], path + "." + members[i].name));
  return value::struct_(std::move(values));
}

/// A repeated key in one object: a record keeps the last value (in the first one's place) and drops
/// every path the earlier value had, whatever its shape; the record path handles that.
void check_new_key(std::vector<std::string_view>& seen, std::string_view k) {
  if (std::find(seen.begin(), seen.end(), k) != seen.end())
    throw fallback{};
  seen.push_back(k);
}

/// A field without a column: flattened to dotted paths with their text, as a record holds them.
void flatten_extra(parser& in, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  char c = in.peek();
  if (c == '{') {
    in.expect('{');
    if (in.peek() == '}') {
      in.expect('}');
      return;
    }
    std::vector<std::string_view> keys;
    while (true) {
      auto k = in.key();
      check_new_key(keys, k);
      flatten_extra(in, path + "." + std::string{k}, out);
      if (in.peek() == ',') {
        in.expect(',');
        continue;
      }
      in.expect('}');
      return;
    }
  }
  std::string text;
  if (c == '[') {
    bool leaf = false;
    auto raw = in.skip(leaf);
    auto j = nlohmann::json::parse(raw, nullptr, false);
    if (j.is_discarded())
      throw fallback{};
    text = j.dump();
  } else {
    auto v = in.scalar();
    if (event::is_null(v))
      return;
    text = event::as_text(v);
  }
  out.emplace_back(path, std::move(text));
}

} // namespace

json_row_decoder::json_row_decoder(table_schema data_columns, std::string capture_field, bool collect_extras)
    : columns_(std::move(data_columns)), capture_(std::move(capture_field)), extras_(collect_extras) {}

size_t json_row_decoder::find(std::string_view k) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    const auto& n = columns_[i].name;
    if (n.size() == k.size() && n[0] == k[0] && std::memcmp(n.data(), k.data(), k.size()) == 0)
      return i;
  }
  return columns_.size();
}

json_row_decoder::outcome json_row_decoder::decode(std::string_view json, output& out) const {
  out.row.assign(columns_.size(), value{});
  out.extras.clear();
  out.captured.reset();
  if (capture_.find('.') != std::string::npos)
    return outcome::fallback;
  std::array<char, 128> small{};
  std::vector<char> large(columns_.size() > small.size() ? columns_.size() : 0, 0);
  char* seen = columns_.size() > small.size() ? large.data() : small.data();
  std::vector<std::string_view> extra_keys; // top-level keys without a column, for duplicates
  try {
    parser in{json, *this};
    in.expect('{');
    if (in.peek() != '}') {
      while (true) {
        auto k = in.key();
        if (k == capture_) {
          // Peek at the raw number without consuming it: parse a copy of the cursor.
          parser probe = in;
          char c = probe.peek();
          if (c == '-' || (c >= '0' && c <= '9')) {
            auto v = probe.scalar();
            if (auto* i = std::get_if<int64_t>(&v))
              out.captured = *i;
            else if (auto* d = std::get_if<double>(&v))
              out.captured = static_cast<int64_t>(*d);
          }
        }
        if (const size_t i = find(k); i < columns_.size()) {
          if (seen[i])
            throw fallback{};
          bool present = false;
          out.row[i] = column_value(in, columns_[i], columns_[i].name, present);
          seen[i] = present ? 1 : 2;
        } else if (extras_) {
          check_new_key(extra_keys, k);
          flatten_extra(in, std::string{k}, out.extras);
        } else {
          bool leaf = false;
          (void) in.skip(leaf);
        }
        if (in.peek() == ',') {
          in.expect(',');
          continue;
        }
        break;
      }
    }
    in.expect('}');
    if (!in.at_end())
      throw fallback{};
    for (size_t i = 0; i < columns_.size(); ++i)
      if (seen[i] != 1)
        out.row[i] = unwrap(detail::absent_value(columns_[i], columns_[i].name));
  } catch (const fallback&) {
    return outcome::fallback;
  } catch (const mapping_error&) {
    return outcome::fallback; // the record path reports it, columns in schema order, JSON checked first
  }
  // A record holds its paths in key order, object by object (nlohmann's objects are sorted maps):
  // the extras come out in that order too — '.' ranks below every other byte.
  std::sort(out.extras.begin(), out.extras.end(), [](const auto& a, const auto& b) {
    const auto& x = a.first;
    const auto& y = b.first;
    const size_t n = std::min(x.size(), y.size());
    for (size_t i = 0; i < n; ++i) {
      auto cx = static_cast<unsigned char>(x[i] == '.' ? 0 : x[i]);
      auto cy = static_cast<unsigned char>(y[i] == '.' ? 0 : y[i]);
      if (cx != cy)
        return cx < cy;
    }
    return x.size() < y.size();
  });
  return outcome::ok;
}

} // namespace freshet::lake
