#pragma once

// Random datums (plain JSON, unions bare) for a parsed schema: floats are multiples of 1/16 so every
// implementation prints them exactly, strings mix ASCII and multi-byte UTF-8.

#include <cstdint>
#include <random>

#include <nlohmann/json.hpp>

#include "common/avro/schema.hpp"

namespace freshet::avro::test {

inline nlohmann::json random_datum(std::mt19937& rng, const node& n) {
  using json = nlohmann::json;

  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
  switch (n.kind) {
    case type::null: return nullptr;
    case type::boolean: return pick(2) == 1;
    case type::int_: return static_cast<int32_t>(rng()) >> pick(31);
    case type::long_:
      return n.logical == logical::timestamp_millis ? json(1700000000000LL + pick(1000000))
                                                    : json(static_cast<int64_t>((uint64_t{rng()} << 32) | rng()) >> pick(63));
    case type::float_:
    case type::double_: return (pick(200001) - 100000) / 16.0;
    case type::string: {
      static const char* parts[] = {"a", "Z", "\u00e9", "/", " ", "\u20ac", "q", "\U0001F600"};
      std::string s;
      for (int i = pick(24); i > 0; --i)
        s += parts[pick(8)];
      return s;
    }
    case type::bytes: {
      std::string s;
      for (int i = pick(12); i > 0; --i)
        s += static_cast<char>('a' + pick(26));
      return s;
    }
    case type::enum_: return n.symbols[static_cast<std::size_t>(pick(static_cast<int>(n.symbols.size())))];
    case type::fixed: return std::string(n.size, 'f');
    case type::array: {
      json a = json::array();
      for (int i = pick(4); i > 0; --i)
        a.push_back(random_datum(rng, *n.items));
      return a;
    }
    case type::map: {
      json m = json::object();
      for (int i = pick(4); i > 0; --i)
        m["k" + std::to_string(pick(100))] = random_datum(rng, *n.values);
      return m;
    }
    case type::union_: return random_datum(rng, *n.branches[static_cast<std::size_t>(pick(static_cast<int>(n.branches.size())))]);
    case type::record: {
      json r = json::object();
      for (const auto& f : n.fields)
        r[f.name] = random_datum(rng, *f.type);
      return r;
    }
  }
  return nullptr;
}

} // namespace freshet::avro::test
