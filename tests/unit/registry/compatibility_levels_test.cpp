// Each compatibility level, per subject and global, on histories where the transitive and the
// non-transitive variants disagree.
#include "tests/unit/registry/rest_fixture.hpp"

namespace freshet::registry::testing {
namespace {

using json = nlohmann::json;
using rest = rest_harness;

struct level_case {
  const char* name;
  std::vector<json> history; ///< registered under NONE
  json candidate;
  std::map<std::string, bool> accepted; ///< level -> verdict
};

json rec(std::vector<json> fields) {
  return rest::record("R", fields);
}

std::vector<level_case> cases() {
  auto f = [](const char* n, const char* t) { return rest::field(n, t); };
  auto fd = [](const char* n, const char* t, json d) { return rest::field(n, t, std::move(d)); };
  return {
    // Adding a field without a default: readers of the new schema cannot read old data.
    {"add_required_field", {rec({f("a", "int")})}, rec({f("a", "int"), f("b", "int")}),
     {{"NONE", true}, {"BACKWARD", false}, {"BACKWARD_TRANSITIVE", false}, {"FORWARD", true},
      {"FORWARD_TRANSITIVE", true}, {"FULL", false}, {"FULL_TRANSITIVE", false}}},
    // Removing a field without a default: old readers cannot read new data.
    {"remove_required_field", {rec({f("a", "int"), f("b", "int")})}, rec({f("a", "int")}),
     {{"NONE", true}, {"BACKWARD", true}, {"BACKWARD_TRANSITIVE", true}, {"FORWARD", false},
      {"FORWARD_TRANSITIVE", false}, {"FULL", false}, {"FULL_TRANSITIVE", false}}},
    // Promotion int -> long: the new schema reads old data, not the other way round.
    {"promote_int_to_long", {rec({f("a", "int")})}, rec({f("a", "long")}),
     {{"NONE", true}, {"BACKWARD", true}, {"BACKWARD_TRANSITIVE", true}, {"FORWARD", false},
      {"FORWARD_TRANSITIVE", false}, {"FULL", false}, {"FULL_TRANSITIVE", false}}},
    // Backward with the latest, not with the first: b is missing from v1 and has no default.
    {"backward_only_with_latest", {rec({f("a", "int")}), rec({f("a", "int"), f("b", "int")})},
     rec({f("b", "int"), f("a", "int"), fd("c", "int", 0)}),
     {{"NONE", true}, {"BACKWARD", true}, {"BACKWARD_TRANSITIVE", false}, {"FORWARD", true},
      {"FORWARD_TRANSITIVE", true}, {"FULL", true}, {"FULL_TRANSITIVE", false}}},
    // Forward with the latest, not with the first: v1 reads b, which the candidate lacks.
    {"forward_only_with_latest", {rec({f("a", "int"), f("b", "int")}), rec({f("a", "int")})},
     rec({f("a", "int"), f("c", "int")}),
     {{"NONE", true}, {"BACKWARD", false}, {"BACKWARD_TRANSITIVE", false}, {"FORWARD", true},
      {"FORWARD_TRANSITIVE", false}, {"FULL", false}, {"FULL_TRANSITIVE", false}}},
    // Full with the latest, not with the first.
    {"full_only_with_latest", {rec({f("a", "int"), f("b", "string")}), rec({f("a", "int")})},
     rec({f("a", "int"), fd("c", "int", 0)}),
     {{"NONE", true}, {"BACKWARD", true}, {"BACKWARD_TRANSITIVE", true}, {"FORWARD", true},
      {"FORWARD_TRANSITIVE", false}, {"FULL", true}, {"FULL_TRANSITIVE", false}}},
    // Enum symbols: adding one breaks forward (old readers lack it) unless the enum has a default.
    {"enum_symbol_added",
     {rec({rest::field("e", json{{"type", "enum"}, {"name", "E"}, {"symbols", {"A", "B"}}})})},
     rec({rest::field("e", json{{"type", "enum"}, {"name", "E"}, {"symbols", {"A", "B", "C"}}})}),
     {{"NONE", true}, {"BACKWARD", true}, {"BACKWARD_TRANSITIVE", true}, {"FORWARD", false},
      {"FORWARD_TRANSITIVE", false}, {"FULL", false}, {"FULL_TRANSITIVE", false}}},
  };
}

TEST(compatibility_levels, every_level_judges_as_confluent_does_per_subject_and_globally) {
  for (const auto& c : cases()) {
    for (const auto& [level, expected] : c.accepted) {
      for (bool global : {false, true}) {
        rest_harness f;
        f.call("PUT", "/config/s", R"({"compatibility": "NONE"})");
        for (const auto& h : c.history)
          ASSERT_GT(f.reg("s", h), 0) << c.name;
        if (global) {
          f.call("DELETE", "/config/s");
          f.call("PUT", "/config", json{{"compatibility", level}}.dump());
        } else {
          f.call("PUT", "/config/s", json{{"compatibility", level}}.dump());
        }
        auto test = f.call("POST", "/compatibility/subjects/s/versions?verbose=true", rest::schema_body(c.candidate));
        EXPECT_EQ(test.body["is_compatible"], expected) << c.name << " " << level << " " << test.raw;
        auto a = f.call("POST", "/subjects/s/versions", rest::schema_body(c.candidate));
        EXPECT_EQ(a.status, expected ? 200 : 409) << c.name << " " << level << (global ? " (global)" : "") << " "
                                                  << a.raw;
      }
    }
  }
}

} // namespace
} // namespace freshet::registry::testing
