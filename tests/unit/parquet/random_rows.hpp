#pragma once
// Random rows for a schema: the property tests' input generator (unit tests only).
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet::test_rows {

/// `interop` keeps dates and timestamps where Python's datetime can hold them, adds multi-byte UTF-8,
/// and makes map keys unique (DuckDB rejects duplicate keys).
struct gen_options {
  bool interop = false;
};

inline value random_leaf(type_kind k, std::mt19937_64& rng, const gen_options& o = {}) {
  auto pick = [&](uint64_t n) { return rng() % n; };
  if (o.interop && k == type_kind::date)
    return value::int32(static_cast<int32_t>(pick(40000)));
  if (o.interop && k == type_kind::timestamp_us)
    return value::int64(static_cast<int64_t>(pick(4'000'000'000'000'000)));
  if (o.interop && k == type_kind::string && pick(4) == 0)
    return value::bytes(pick(2) ? "\xc3\xa9t\xc3\xa9" : "\xe6\x97\xa5\xe6\x9c\xac");
  switch (k) {
    case type_kind::boolean: return value::boolean(pick(2) == 1);
    case type_kind::int32:
    case type_kind::date: {
      static const int32_t edges[] = {0, -1, 1, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
      return value::int32(pick(4) == 0 ? edges[pick(5)] : static_cast<int32_t>(pick(2000)) - 1000);
    }
    case type_kind::int64:
    case type_kind::timestamp_us: {
      static const int64_t edges[] = {0, -1, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
      return value::int64(pick(4) == 0 ? edges[pick(4)] : static_cast<int64_t>(rng() >> pick(60)) * (pick(2) ? 1 : -1));
    }
    case type_kind::float32: return value::float32(static_cast<float>(static_cast<int64_t>(pick(20000)) - 10000) / 8.0f);
    case type_kind::float64: return value::float64(static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 1024.0);
    case type_kind::string: {
      // A small alphabet and short lengths, so dictionaries see repeats.
      std::string s(pick(6), 'a');
      for (auto& c : s)
        c = static_cast<char>('a' + pick(3));
      return value::bytes(std::move(s));
    }
    case type_kind::binary: {
      std::string s(pick(5), '\0');
      for (auto& c : s)
        c = static_cast<char>(pick(256));
      return value::bytes(std::move(s));
    }
    default: return {};
  }
}

inline value random_value(const field& f, std::mt19937_64& rng, const gen_options& o = {}) {
  if (f.nullable && rng() % 5 == 0)
    return {};
  switch (f.kind) {
    case type_kind::struct_: {
      std::vector<value> members;
      for (const auto& c : f.children)
        members.push_back(random_value(c, rng, o));
      return value::struct_(std::move(members));
    }
    case type_kind::list: {
      std::vector<value> items;
      const auto n = rng() % 4;
      for (uint64_t i = 0; i < n; ++i)
        items.push_back(random_value(f.children[0], rng, o));
      return value::list(std::move(items));
    }
    case type_kind::map: {
      std::vector<std::pair<value, value>> entries;
      const auto n = rng() % 4;
      for (uint64_t i = 0; i < n; ++i) {
        auto key = random_value(f.children[0], rng, o);
        bool repeat = false;
        for (const auto& e : entries)
          repeat |= o.interop && e.first == key;
        if (!repeat)
          entries.emplace_back(std::move(key), random_value(f.children[1], rng, o));
      }
      return value::map(std::move(entries));
    }
    default: return random_leaf(f.kind, rng, o);
  }
}

inline std::vector<row> random_rows(const std::vector<field>& fields, size_t n, uint64_t seed, const gen_options& o = {}) {
  std::mt19937_64 rng{seed};
  std::vector<row> rows;
  for (size_t i = 0; i < n; ++i) {
    row r;
    for (const auto& f : fields)
      r.push_back(random_value(f, rng, o));
    rows.push_back(std::move(r));
  }
  return rows;
}

/// Every leaf type, nullable and not, plus nested lists, maps and structs (Delta's checkpoint shapes).
inline std::vector<field> every_type_fields() {
  return {
      make_field("b", type_kind::boolean),
      make_field("i32", type_kind::int32),
      make_field("i64", type_kind::int64, false),
      make_field("f32", type_kind::float32),
      make_field("f64", type_kind::float64),
      make_field("s", type_kind::string),
      make_field("bin", type_kind::binary),
      make_field("d", type_kind::date),
      make_field("ts", type_kind::timestamp_us),
      list_field("li", make_field("", type_kind::int64)),
      list_field("ls_req", make_field("", type_kind::string, false), false),
      map_field("m", make_field("", type_kind::string), make_field("", type_kind::string)),
      struct_field("st", {make_field("x", type_kind::int32, false), make_field("y", type_kind::string),
                          list_field("z", struct_field("", {make_field("p", type_kind::float64), make_field("q", type_kind::boolean)}))}),
      list_field("ll", list_field("", make_field("", type_kind::int32))),
      map_field("ml", make_field("", type_kind::int32), list_field("", make_field("", type_kind::string))),
  };
}

} // namespace freshet::parquet::test_rows
