// Property test: random schemas and data. Every datum must survive JSON -> Avro -> value -> JSON with
// the writer schema, and decode through a randomly evolved (compatible) reader to exactly what the
// evolution predicts; the compatibility checker must agree that the reader can read the writer.

#include <functional>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/avro/compatibility.hpp"
#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using json = nlohmann::json;
using transform = std::function<json(const json&)>;

class generator {
 public:
  explicit generator(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin(int percent) { return pick(100) < percent; }

  json schema(int depth) {
    int choice = pick(depth > 2 ? 9 : 14);
    switch (choice) {
      case 0: return "null";
      case 1: return "boolean";
      case 2: return "int";
      case 3: return "long";
      case 4: return "float";
      case 5: return "double";
      case 6: return "bytes";
      case 7: return "string";
      case 8: {
        json syms = json::array();
        int n = 1 + pick(5);
        for (int i = 0; i < n; ++i)
          syms.push_back("S" + std::to_string(i));
        return {{"type", "enum"}, {"name", fresh("E")}, {"symbols", syms}};
      }
      case 9: return {{"type", "fixed"}, {"name", fresh("F")}, {"size", pick(5)}};
      case 10: return {{"type", "array"}, {"items", schema(depth + 1)}};
      case 11: return {{"type", "map"}, {"values", schema(depth + 1)}};
      case 12: {
        json inner = schema(depth + 1);
        if (inner.is_array() || inner == "null")
          return inner;
        return json::array({"null", inner});
      }
      default: return record(depth + 1);
    }
  }

  json record(int depth) {
    json fields = json::array();
    int n = pick(5);
    for (int i = 0; i < n; ++i)
      fields.push_back({{"name", "f" + std::to_string(i)}, {"type", schema(depth)}});
    return {{"type", "record"}, {"name", fresh("R")}, {"fields", fields}};
  }

  // A datum in Avro JSON (unions wrapped), with values that survive float/double round trips.
  json datum(const json& s) {
    if (s.is_array()) {
      std::size_t b = static_cast<std::size_t>(pick(static_cast<int>(s.size())));
      if (s[b] == "null")
        return nullptr;
      return {{branch_name(s[b]), datum(s[b])}};
    }
    std::string t = s.is_string() ? s.get<std::string>() : s["type"].get<std::string>();
    if (t == "null") return nullptr;
    if (t == "boolean") return coin(50);
    if (t == "int") return std::uniform_int_distribution<int32_t>(INT32_MIN, INT32_MAX)(rng_) >> pick(31);
    if (t == "long") return std::uniform_int_distribution<int64_t>(INT64_MIN, INT64_MAX)(rng_) >> (11 + pick(53));
    if (t == "float" || t == "double") return static_cast<double>(pick(2001) - 1000) / 8.0;
    if (t == "string" || t == "bytes") return text(t == "bytes");
    if (t == "enum") return s["symbols"][static_cast<std::size_t>(pick(static_cast<int>(s["symbols"].size())))];
    if (t == "fixed") {
      std::string b;
      for (int i = 0; i < s["size"].get<int>(); ++i)
        b += static_cast<char>('a' + pick(26));
      return b;
    }
    if (t == "array") {
      json a = json::array();
      for (int i = pick(4); i > 0; --i)
        a.push_back(datum(s["items"]));
      return a;
    }
    if (t == "map") {
      json m = json::object();
      for (int i = pick(4); i > 0; --i)
        m["k" + std::to_string(pick(1000))] = datum(s["values"]);
      return m;
    }
    json r = json::object();
    for (const auto& f : s["fields"])
      r[f["name"].get<std::string>()] = datum(f["type"]);
    return r;
  }

  // A reader schema every datum of `w` resolves to, and how a datum changes on the way.
  std::pair<json, transform> evolve(const json& w) {
    auto same = [](const json& v) { return v; };
    if (w.is_array()) {
      // Reader union gains a branch, writer branches map to themselves.
      json r = json::array();
      std::vector<transform> subs;
      for (const auto& b : w) {
        auto [rb, tb] = b.is_object() && b["type"] != "array" && b["type"] != "map" ? std::pair<json, transform>{b, same} : evolve_leafless(b);
        r.push_back(rb);
        subs.push_back(tb);
      }
      json names = json::array();
      json reader_names = json::array();
      for (const auto& b : w)
        names.push_back(branch_name(b));
      for (const auto& b : r)
        reader_names.push_back(branch_name(b));
      return {r, [subs, names, reader_names](const json& v) -> json {
                if (v.is_null())
                  return v;
                auto key = v.begin().key();
                for (std::size_t i = 0; i < names.size(); ++i)
                  if (names[i] == key)
                    return json{{reader_names[i].get<std::string>(), subs[i](v.begin().value())}};
                return v;
              }};
    }
    std::string t = w.is_string() ? w.get<std::string>() : w["type"].get<std::string>();
    // Sometimes the reader wraps the writer's type into a union.
    if (t != "null" && coin(10)) {
      auto [inner, tf] = evolve_plain(w, t);
      json r = json::array({"null", inner});
      std::string name = branch_name(inner);
      return {r, [tf, name](const json& v) { return json{{name, tf(v)}}; }};
    }
    return evolve_plain(w, t);
  }

  std::pair<json, transform> evolve_leafless(const json& w) {
    std::string t = w.is_string() ? w.get<std::string>() : w["type"].get<std::string>();
    return evolve_plain(w, t);
  }

  std::pair<json, transform> evolve_plain(const json& w, const std::string& t) {
    auto same = [](const json& v) { return v; };
    if (t == "int") {
      switch (pick(4)) {
        case 0: return {"long", same};
        case 1: return {"double", [](const json& v) { return json(static_cast<double>(v.get<int64_t>())); }};
        case 2: return {"float", [](const json& v) { return json(static_cast<double>(static_cast<float>(v.get<int64_t>()))); }};
        default: return {w, same};
      }
    }
    if (t == "long" && coin(30))
      return {"double", [](const json& v) { return json(static_cast<double>(v.get<int64_t>())); }};
    if (t == "float" && coin(30))
      return {"double", same};
    if (t == "string" && coin(20))
      return {"bytes", [](const json& v) {
                // Each UTF-8 byte of the string becomes one code point of the bytes' JSON form.
                std::string out;
                for (unsigned char c : v.get<std::string>()) {
                  if (c < 0x80) {
                    out += static_cast<char>(c);
                  } else {
                    out += static_cast<char>(0xc0 | (c >> 6));
                    out += static_cast<char>(0x80 | (c & 0x3f));
                  }
                }
                return json(out);
              }};
    // bytes -> string is exercised in resolution_test: random bytes are rarely UTF-8, which the
    // decoder rejects (errc::invalid_utf8).
    if (t == "enum") {
      json r = w;
      json syms = w["symbols"];
      std::reverse(syms.begin(), syms.end());
      syms.push_back("NEW");
      r["symbols"] = syms;
      return {r, same};
    }
    if (t == "array") {
      auto [ri, ti] = evolve(w["items"]);
      json r = {{"type", "array"}, {"items", ri}};
      return {r, [ti](const json& v) {
                json a = json::array();
                for (const auto& x : v)
                  a.push_back(ti(x));
                return a;
              }};
    }
    if (t == "map") {
      auto [rv, tv] = evolve(w["values"]);
      json r = {{"type", "map"}, {"values", rv}};
      return {r, [tv](const json& v) {
                json m = json::object();
                for (const auto& [k, x] : v.items())
                  m[k] = tv(x);
                return m;
              }};
    }
    if (t == "record")
      return evolve_record(w);
    return {w, same};
  }

  std::pair<json, transform> evolve_record(const json& w) {
    struct out_field {
      std::string name;       // reader name
      std::string from;       // writer name, empty when defaulted
      transform tf;
      json dflt;
    };
    std::vector<out_field> outs;
    json fields = json::array();
    for (const auto& f : w["fields"]) {
      std::string name = f["name"];
      if (coin(15))
        continue; // the reader drops it
      auto [rt, tf] = evolve(f["type"]);
      json rf = {{"name", name}, {"type", rt}};
      if (coin(15)) {
        rf["name"] = name + "_renamed";
        rf["aliases"] = json::array({name});
      }
      fields.push_back(rf);
      outs.push_back({rf["name"], name, tf, nullptr});
    }
    if (coin(30)) {
      json dflt = json::array({"a", "b"});
      fields.push_back({{"name", fresh("added")}, {"type", {{"type", "array"}, {"items", "string"}}}, {"default", dflt}});
      outs.push_back({fields.back()["name"], "", nullptr, dflt});
    }
    if (coin(30)) {
      fields.push_back({{"name", fresh("opt")}, {"type", json::array({"null", "int"})}, {"default", nullptr}});
      outs.push_back({fields.back()["name"], "", nullptr, nullptr});
    }
    // Shuffle the reader's field order.
    std::vector<std::size_t> order(outs.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::shuffle(order.begin(), order.end(), rng_);
    json shuffled = json::array();
    std::vector<out_field> outs2;
    for (auto i : order) {
      shuffled.push_back(fields[i]);
      outs2.push_back(outs[i]);
    }
    json r = {{"type", "record"}, {"name", w["name"]}, {"fields", shuffled}};
    return {r, [outs2](const json& v) {
              json o = json::object();
              for (const auto& f : outs2)
                o[f.name] = f.from.empty() ? f.dflt : f.tf(v.at(f.from));
              return o;
            }};
  }

  static std::string branch_name(const json& s) {
    if (s.is_string())
      return s.get<std::string>();
    std::string t = s["type"];
    if (t == "record" || t == "enum" || t == "fixed")
      return s["name"];
    return t;
  }

 private:
  std::mt19937 rng_;
  int counter_ = 0;

  std::string fresh(const char* prefix) { return std::string{prefix} + std::to_string(counter_++); }

  std::string text(bool bytes) {
    static const char* alphabet[] = {"a", "Z", "0", " ", "\"", "\\", "\n", "\u00e9", "\u20ac", "\U0001F600"};
    static const char* byte_alphabet[] = {"a", "Z", "\u00ff", "\u0001", "\"", "\u0080"};
    std::string s;
    for (int i = pick(8); i > 0; --i)
      s += bytes ? byte_alphabet[pick(6)] : alphabet[pick(10)];
    return s;
  }
};

json parse_or_report(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    ADD_FAILURE() << "our JSON output does not parse: " << text;
  return j;
}

// Records in JSON compare regardless of member order (nlohmann objects are sorted maps).
void round_trip(uint32_t seed) {
  generator g{seed};
  json ws = g.record(0);
  auto writer = schema::parse(ws.dump());
  ASSERT_TRUE(writer.ok()) << writer.err().message << "\n" << ws.dump();
  auto [rs, tf] = g.evolve_record(ws);
  auto reader = schema::parse(rs.dump());
  ASSERT_TRUE(reader.ok()) << reader.err().message << "\n" << rs.dump();

  EXPECT_TRUE(check_can_read(*reader, *writer).empty()) << "writer " << ws.dump() << "\nreader " << rs.dump();
  json_encoder enc{*writer};
  decoder same{*writer};
  auto resolving = decoder::resolving(*writer, *reader);
  ASSERT_TRUE(resolving.ok()) << resolving.err().message << "\nwriter " << ws.dump() << "\nreader " << rs.dump();
  for (int i = 0; i < 20; ++i) {
    json d = g.datum(ws);
    std::string bytes;
    auto st = enc.encode(d.dump(), bytes);
    ASSERT_TRUE(st.ok()) << st.err().message << "\nschema " << ws.dump() << "\ndatum " << d.dump();
    auto back = same.decode_json(bytes);
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(parse_or_report(*back), d) << "schema " << ws.dump();
    // Our JSON output reads back to the same bytes.
    std::string again;
    ASSERT_TRUE(enc.encode(*back, again).ok());
    EXPECT_EQ(again, bytes);
    auto evolved = resolving->decode_json(bytes);
    ASSERT_TRUE(evolved.ok()) << evolved.err().message << "\nwriter " << ws.dump() << "\nreader " << rs.dump()
                              << "\ndatum " << d.dump();
    EXPECT_EQ(parse_or_report(*evolved), tf(d)) << "writer " << ws.dump() << "\nreader " << rs.dump() << "\ndatum "
                                            << d.dump();
  }
}

TEST(avro_property, random_schemas_round_trip_and_resolve) {
  for (uint32_t seed = 1; seed <= 2000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    round_trip(seed);
    if (HasFatalFailure())
      return;
  }
}

} // namespace
} // namespace freshet::avro
