// Random registrations and deletions against a brute-force model of Confluent's rules: ids,
// versions and error codes must match after every step, and the final views must be equal.
#include <map>
#include <random>

#include "tests/unit/registry/rest_fixture.hpp"

namespace freshet::registry::testing {
namespace {

using json = nlohmann::json;

struct model {
  struct entry {
    int schema = 0;
    bool deleted = false;
  };
  std::map<std::string, std::map<int, entry>> subjects;
  std::map<int, int> id_of; ///< schema index -> id, while some version holds it
  int next_id = 1;

  bool holds(int k) const {
    for (const auto& [s, vs] : subjects)
      for (const auto& [v, e] : vs)
        if (e.schema == k)
          return true;
    return false;
  }
  void forget_unheld() {
    for (auto it = id_of.begin(); it != id_of.end();)
      it = holds(it->first) ? std::next(it) : id_of.erase(it);
  }
  bool exists(const std::string& s) const { return subjects.count(s) && !subjects.at(s).empty(); }
  bool live(const std::string& s) const {
    if (!exists(s))
      return false;
    for (const auto& [v, e] : subjects.at(s))
      if (!e.deleted)
        return true;
    return false;
  }

  std::pair<int, json> reg(const std::string& s, int k) {
    if (exists(s))
      for (const auto& [v, e] : subjects[s])
        if (!e.deleted && e.schema == k)
          return {200, json{{"id", id_of.at(k)}}};
    if (!id_of.count(k))
      id_of[k] = next_id++;
    int version = exists(s) ? subjects[s].rbegin()->first + 1 : 1;
    subjects[s][version] = {k, false};
    return {200, json{{"id", id_of[k]}}};
  }
  int delete_version(const std::string& s, int v, bool permanent) {
    if (!exists(s))
      return 40401;
    auto& vs = subjects[s];
    if (!vs.count(v))
      return 40402;
    if (!permanent) {
      if (vs[v].deleted)
        return 40406;
      vs[v].deleted = true;
      return 0;
    }
    if (!vs[v].deleted)
      return 40407;
    vs.erase(v);
    if (vs.empty())
      subjects.erase(s);
    forget_unheld();
    return 0;
  }
  int delete_subject(const std::string& s, bool permanent) {
    if (!exists(s))
      return 40401;
    if (!permanent) {
      if (!live(s))
        return 40404;
      for (auto& [v, e] : subjects[s])
        e.deleted = true;
      return 0;
    }
    if (live(s))
      return 40405;
    subjects.erase(s);
    forget_unheld();
    return 0;
  }
};

json schema_of(int k) {
  return rest_harness::record("R", {rest_harness::field("f" + std::to_string(k), "int")});
}

TEST(registry_property, random_histories_match_the_model) {
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    std::mt19937 rng{seed};
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    rest_harness h;
    h.call("PUT", "/config", R"({"compatibility": "NONE"})");
    model m;
    for (int step = 0; step < 250; ++step) {
      auto s = "s" + std::to_string(pick(4));
      int op = pick(10);
      bool permanent = pick(2) == 0;
      std::string what;
      int want_code = 0;
      rest_harness::answer got;
      if (op < 5) {
        int k = pick(7);
        what = "register " + s + " #" + std::to_string(k);
        auto [status, body] = m.reg(s, k);
        got = h.call("POST", "/subjects/" + s + "/versions", rest_harness::schema_body(schema_of(k)));
        ASSERT_EQ(got.body, body) << "seed " << seed << " step " << step << ": " << what;
        continue;
      }
      if (op < 8) {
        int v = 1 + pick(6);
        what = "delete " + s + " v" + std::to_string(v) + (permanent ? " permanently" : "");
        want_code = m.delete_version(s, v, permanent);
        got = h.call("DELETE", "/subjects/" + s + "/versions/" + std::to_string(v) + (permanent ? "?permanent=true" : ""));
      } else {
        what = "delete " + s + (permanent ? " permanently" : "");
        want_code = m.delete_subject(s, permanent);
        got = h.call("DELETE", "/subjects/" + s + (permanent ? "?permanent=true" : ""));
      }
      ASSERT_EQ(got.code(), want_code) << "seed " << seed << " step " << step << ": " << what << " -> " << got.raw;
    }
    // The final views agree.
    for (const auto& [s, vs] : m.subjects) {
      json versions = json::array();
      for (const auto& [v, e] : vs) {
        versions.push_back(v);
        auto got = h.call("GET", "/subjects/" + s + "/versions/" + std::to_string(v) + "?deleted=true");
        EXPECT_EQ(got.body["id"], m.id_of.at(e.schema)) << "seed " << seed;
      }
      EXPECT_EQ(h.call("GET", "/subjects/" + s + "/versions?deleted=true").body, versions) << "seed " << seed;
    }
    for (const auto& [k, id] : m.id_of)
      EXPECT_EQ(h.call("GET", "/schemas/ids/" + std::to_string(id)).body["schema"], schema_of(k).dump());
    EXPECT_EQ(h.call("GET", "/subjects?deleted=true").body.size(), m.subjects.size());
  }
}

} // namespace
} // namespace freshet::registry::testing
