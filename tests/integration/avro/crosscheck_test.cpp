// Cross-checks freshet::avro against an independent implementation, Apache Avro's Python package:
//  - compatibility verdicts over a generated corpus of >= 500 (reader, writer) schema pairs;
//  - binary encoding both ways on the clickstream example schemas (ours -> theirs, theirs -> ours).
// Needs the project's venv (scripts/install-deps); no Kafka.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/avro/compatibility.hpp"
#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "tests/integration/avro/random_datum.hpp"

namespace freshet::avro {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string venv_python() {
  const char* cache = std::getenv("FRESHET_CACHE");
  std::string base = cache ? cache : std::string{std::getenv("HOME") ? std::getenv("HOME") : "/root"} + "/.cache/freshet";
  return base + "/venv/bin/python";
}

fs::path work_dir() {
  auto d = fs::temp_directory_path() / ("freshet-avro-crosscheck-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

std::vector<json> run_oracle(const std::string& mode, const std::vector<json>& lines) {
  auto dir = work_dir();
  auto in = dir / (mode + ".in.jsonl");
  auto out = dir / (mode + ".out.jsonl");
  {
    std::ofstream f{in};
    for (const auto& l : lines)
      f << l.dump() << "\n";
  }
  std::string cmd = venv_python() + " " + std::string{FRESHET_SOURCE_DIR} + "/tests/integration/avro/avro_oracle.py " +
                    mode + " " + in.string() + " " + out.string();
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  std::vector<json> result;
  std::ifstream f{out};
  for (std::string line; std::getline(f, line);)
    result.push_back(json::parse(line));
  fs::remove_all(dir);
  return result;
}

// --- corpus of schema pairs -----------------------------------------------------------------------

class pair_generator {
 public:
  explicit pair_generator(uint32_t seed) : rng_(seed) {}
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin(int pct) { return pick(100) < pct; }

  // A type for `slot` (named types are named after their slot, so both sides of a pair agree).
  json type(const std::string& slot, int depth) {
    static const char* prims[] = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};
    int c = pick(depth > 1 ? 11 : 15);
    if (c < 8)
      return prims[c];
    if (c == 8 || c == 9) {
      static const char* all[] = {"A", "B", "C", "D"};
      json syms = json::array();
      for (auto* s : all)
        if (coin(70))
          syms.push_back(s);
      if (syms.empty())
        syms.push_back("A");
      json e = {{"type", "enum"}, {"name", "E_" + slot}, {"symbols", syms}};
      if (coin(30))
        e["default"] = syms[0];
      return e;
    }
    if (c == 10)
      return {{"type", "fixed"}, {"name", "F_" + slot}, {"size", coin(70) ? 4 : 8}};
    if (c == 11)
      return {{"type", "array"}, {"items", type(slot + "i", depth + 1)}};
    if (c == 12)
      return {{"type", "map"}, {"values", type(slot + "v", depth + 1)}};
    if (c == 13) {
      json inner = type(slot + "u", depth + 1);
      if (inner.is_array() || inner == "null")
        return inner;
      if (coin(30) && inner != "string")
        return json::array({"null", inner, "string"});
      return json::array({"null", inner});
    }
    return record("R_" + slot, slot, depth + 1);
  }

  json record(const std::string& name, const std::string& slot, int depth) {
    json fields = json::array();
    int n = 1 + pick(4);
    for (int i = 0; i < n; ++i) {
      std::string fs = slot + "f" + std::to_string(i);
      json f = {{"name", "f" + std::to_string(i)}, {"type", type(fs, depth)}};
      if (coin(30))
        f["default"] = default_for(f["type"]);
      fields.push_back(f);
    }
    return {{"type", "record"}, {"name", name}, {"fields", fields}};
  }

  // A variant of `s`: the same slots, some changed, some fields added or dropped, some renames.
  json mutate(const json& s, const std::string& slot, int depth) {
    if (coin(depth == 0 ? 0 : 15))
      return type(slot, depth); // a whole new type for this slot
    if (s.is_array()) {
      json u = json::array();
      for (const auto& b : s)
        if (b == "null" || coin(85))
          u.push_back(b);
      if (coin(20) && std::find(u.begin(), u.end(), json("int")) == u.end() &&
          std::find(u.begin(), u.end(), json("long")) == u.end())
        u.push_back("long");
      if (u.size() == 1 && coin(50))
        return u[0];
      return u.empty() ? json("null") : u;
    }
    if (s.is_string()) {
      static const std::map<std::string, std::vector<std::string>> near = {
          {"int", {"long", "float", "double", "string"}}, {"long", {"int", "double", "float"}},
          {"float", {"double", "int"}},                    {"double", {"float", "long"}},
          {"string", {"bytes", "int"}},                    {"bytes", {"string"}},
          {"boolean", {"int"}},                            {"null", {"boolean"}}};
      if (coin(30)) {
        const auto& alts = near.at(s.get<std::string>());
        return alts[static_cast<std::size_t>(pick(static_cast<int>(alts.size())))];
      }
      if (coin(10))
        return json::array({"null", s == "null" ? json("int") : s});
      return s;
    }
    json m = s;
    std::string t = s["type"];
    if (t == "enum") {
      json syms = json::array();
      for (const auto& x : s["symbols"])
        if (coin(80))
          syms.push_back(x);
      if (coin(30))
        syms.push_back("Z");
      if (syms.empty())
        syms.push_back("A");
      m["symbols"] = syms;
      m.erase("default");
      if (coin(30))
        m["default"] = syms[0];
    } else if (t == "fixed") {
      if (coin(20))
        m["size"] = s["size"] == 4 ? 8 : 4;
      rename(m, s);
    } else if (t == "array") {
      m["items"] = mutate(s["items"], slot + "i", depth + 1);
    } else if (t == "map") {
      m["values"] = mutate(s["values"], slot + "v", depth + 1);
    } else if (t == "record") {
      json fields = json::array();
      for (const auto& f : s["fields"]) {
        if (coin(12))
          continue;
        std::string fname = f["name"];
        json nf = {{"name", fname}, {"type", mutate(f["type"], slot + fname, depth + 1)}};
        if (coin(8)) {
          nf["name"] = fname + "_new";
          if (coin(70))
            nf["aliases"] = json::array({fname});
        }
        if (coin(35))
          nf["default"] = default_for(nf["type"]);
        fields.push_back(nf);
      }
      if (coin(30)) {
        json nf = {{"name", "added" + std::to_string(pick(3))}, {"type", type(slot + "added", depth + 1)}};
        bool dup = false;
        for (const auto& f : fields)
          dup = dup || f["name"] == nf["name"];
        if (!dup) {
          if (coin(60))
            nf["default"] = default_for(nf["type"]);
          fields.push_back(nf);
        }
      }
      m["fields"] = fields;
      rename(m, s);
    }
    return m;
  }

  static json default_for(const json& t) {
    if (t.is_array())
      return default_for(t[0]);
    std::string k = t.is_string() ? t.get<std::string>() : t["type"].get<std::string>();
    if (k == "null") return nullptr;
    if (k == "boolean") return false;
    if (k == "int" || k == "long") return 1;
    if (k == "float" || k == "double") return 0.5;
    if (k == "bytes" || k == "string") return "x";
    if (k == "enum") return t["symbols"][0];
    if (k == "fixed") return std::string(t["size"].get<std::size_t>(), 'a');
    if (k == "array") return json::array();
    if (k == "map") return json::object();
    json r = json::object();
    for (const auto& f : t["fields"])
      r[f["name"].get<std::string>()] = default_for(f["type"]);
    return r;
  }

 private:
  std::mt19937 rng_;

  void rename(json& m, const json& s) {
    if (!coin(10))
      return;
    m["name"] = s["name"].get<std::string>() + "2";
    if (coin(60))
      m["aliases"] = json::array({s["name"]});
  }
};

TEST(avro_crosscheck, compatibility_verdicts_agree_with_python_avro) {
  std::vector<json> lines;
  std::vector<std::vector<incompatibility>> ours;
  std::vector<std::pair<std::string, std::string>> texts;
  for (uint32_t seed = 1; lines.size() < 600; ++seed) {
    pair_generator g{seed};
    json base = g.record("Event", "", 0);
    json other = g.mutate(base, "", 0);
    for (int dir = 0; dir < 2; ++dir) {
      std::string reader = (dir ? base : other).dump();
      std::string writer = (dir ? other : base).dump();
      auto r = schema::parse(reader);
      auto w = schema::parse(writer);
      if (!r.ok() || !w.ok())
        continue; // the generator may draw a duplicate union branch; skip those
      ours.push_back(check_can_read(*r, *w));
      texts.emplace_back(reader, writer);
      lines.push_back({{"id", lines.size()}, {"reader", reader}, {"writer", writer}});
    }
  }
  auto theirs = run_oracle("compat", lines);
  ASSERT_EQ(theirs.size(), lines.size());
  std::size_t agree = 0, compatible = 0, py_errors = 0;
  std::size_t type_sets_agree = 0, kind_examples = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& t = theirs[i];
    if (t.contains("error")) {
      ++py_errors;
      ADD_FAILURE() << "python avro failed on pair " << i << ": " << t["error"] << "\nreader " << texts[i].first
                    << "\nwriter " << texts[i].second;
      continue;
    }
    bool ours_ok = ours[i].empty();
    compatible += ours_ok;
    if (ours_ok == t["compatible"].get<bool>()) {
      ++agree;
      std::set<std::string> ours_types;
      for (const auto& x : ours[i])
        ours_types.insert(to_string(x.type));
      std::set<std::string> their_types;
      for (const auto& x : t["types"])
        their_types.insert(x.get<std::string>() == "missing_union_branch" ? "MISSING_UNION_BRANCH"
                           : [&] {
                               std::string u = x.get<std::string>();
                               for (auto& c : u)
                                 c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                               return u;
                             }());
      if (ours_types == their_types) {
        ++type_sets_agree;
      } else if (kind_examples++ < 3) {
        // Informational: both say incompatible, but list the reasons differently (see README).
        std::string o, p;
        for (const auto& x : ours_types)
          o += x + " ";
        for (const auto& x : their_types)
          p += x + " ";
        std::printf("kinds differ on pair %zu: ours [%s] python [%s]\n  reader %s\n  writer %s\n", i, o.c_str(),
                    p.c_str(), texts[i].first.c_str(), texts[i].second.c_str());
      }
    } else {
      std::string why;
      for (const auto& x : ours[i])
        why += std::string{"\n  ours: "} + to_string(x.type) + " at " + x.path + ": " + x.message;
      ADD_FAILURE() << "verdicts differ on pair " << i << ": ours " << (ours_ok ? "compatible" : "incompatible")
                    << ", python " << t.dump() << why << "\nreader " << texts[i].first << "\nwriter " << texts[i].second;
    }
  }
  std::printf("compatibility cross-check: %zu pairs, %zu agree (%zu compatible, %zu not), %zu python errors; "
              "incompatibility kinds identical on %zu\n",
              lines.size(), agree, compatible, lines.size() - compatible, py_errors, type_sets_agree);
  EXPECT_GE(lines.size(), 500u);
  EXPECT_GE(compatible, 100u); // the corpus exercises both verdicts
  EXPECT_GE(lines.size() - compatible, 100u);
}

// --- encoding both ways -----------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string to_hex(std::string_view b) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : b) {
    h += d[c >> 4];
    h += d[c & 0xf];
  }
  return h;
}

std::string from_hex(const std::string& h) {
  std::string b;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    b.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return b;
}

TEST(avro_crosscheck, binary_encoding_matches_python_avro_both_ways) {
  std::vector<std::string> texts;
  for (const char* name : {"page_view", "purchase", "add_to_cart", "user"})
    texts.push_back(read_file(std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream/schemas/" + name + ".avsc"));
  // One schema with every type, so the comparison is not limited to the examples' types.
  texts.push_back(R"({"type":"record","name":"All","namespace":"x","fields":[
    {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
    {"name":"d","type":"double"},{"name":"y","type":"bytes"},{"name":"s","type":"string"},
    {"name":"fx","type":{"type":"fixed","name":"Md5","size":16}},
    {"name":"e","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}},
    {"name":"a","type":{"type":"array","items":{"type":"map","values":["null","long"]}}},
    {"name":"r","type":{"type":"record","name":"Inner","fields":[{"name":"n","type":["null","string","double"]}]}}]})");
  std::vector<json> lines;
  std::vector<std::string> our_bytes;
  std::vector<const schema*> schemas;
  std::vector<schema> parsed;
  for (const auto& t : texts)
    parsed.push_back(*schema::parse(t));
  std::mt19937 rng{7};
  for (std::size_t k = 0; k < parsed.size(); ++k) {
    json_encoder enc{parsed[k]};
    for (int i = 0; i < 100; ++i) {
      json d = test::random_datum(rng, parsed[k].root());
      std::string bytes;
      auto st = enc.encode(d.dump(), bytes); // bare unions: our encoder picks the branch
      ASSERT_TRUE(st.ok()) << st.err().message << " " << d.dump();
      lines.push_back({{"id", lines.size()}, {"schema", texts[k]}, {"datum", d}, {"ours", to_hex(bytes)}});
      our_bytes.push_back(bytes);
      schemas.push_back(&parsed[k]);
    }
  }
  auto theirs = run_oracle("codec", lines);
  ASSERT_EQ(theirs.size(), lines.size());
  std::size_t same = 0, they_decode_ours = 0, we_decode_theirs = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& t = theirs[i];
    ASSERT_FALSE(t.contains("error")) << t["error"] << "\n" << lines[i].dump();
    same += t["same_bytes"].get<bool>();
    they_decode_ours += t["decoded_ok"].get<bool>();
    EXPECT_TRUE(t["same_bytes"].get<bool>()) << lines[i].dump() << "\ntheirs " << t["theirs"];
    EXPECT_TRUE(t["decoded_ok"].get<bool>()) << lines[i].dump();
    decoder dec{*schemas[i]};
    auto v = dec.decode_json(from_hex(t["theirs"]), union_style::bare);
    ASSERT_TRUE(v.ok()) << v.err().message;
    bool equal = json::parse(*v) == lines[i]["datum"];
    we_decode_theirs += equal;
    EXPECT_TRUE(equal) << *v << " vs " << lines[i]["datum"].dump();
  }
  std::printf("encoding cross-check: %zu datums on %zu schemas: identical bytes %zu, python decodes ours %zu, "
              "we decode python's %zu\n",
              lines.size(), texts.size(), same, they_decode_ours, we_decode_theirs);
}

} // namespace
} // namespace freshet::avro
