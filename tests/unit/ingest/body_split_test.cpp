// ingest's HTTP body splitting: JSON arrays into their elements' exact bytes, otherwise JSON lines.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "services/ingest/body_split.hpp"

namespace {

using freshet::ingest::split_events;
using list = std::vector<std::string>;

TEST(split_events, a_json_array_gives_its_elements_as_sent) {
  EXPECT_EQ(split_events(R"([{"a":1}, {"b":[1,2,{"c":"]"}]} ,  3 ])"), (list{R"({"a":1})", R"({"b":[1,2,{"c":"]"}]})", "3"}));
  EXPECT_EQ(split_events(" \n[ {\"s\":\"x,y\\\"],\"} ]\n"), (list{"{\"s\":\"x,y\\\"],\"}"}));
  EXPECT_EQ(split_events(R"([{"n": 1.50, "u":"\u00e9"}])"), (list{R"({"n": 1.50, "u":"\u00e9"})"}))
    << "no re-serialisation: number and escape forms are kept";
  EXPECT_EQ(split_events("[]"), list{});
  EXPECT_EQ(split_events("[ ]"), list{});
}

TEST(split_events, malformed_elements_stay_events) {
  EXPECT_EQ(split_events(R"([{"a":1},{bad},,7])"), (list{R"({"a":1})", "{bad}", "", "7"}));
  EXPECT_EQ(split_events("[\"\xff\"]"), list{"\"\xff\""});
}

TEST(split_events, otherwise_json_lines) {
  EXPECT_EQ(split_events("{\"a\":1}\n{\"b\":2}\r\n\n  \n{oops\n"), (list{"{\"a\":1}", "{\"b\":2}", "{oops"}));
  EXPECT_EQ(split_events("{\"a\":1}"), list{"{\"a\":1}"});
  EXPECT_EQ(split_events(""), list{});
  EXPECT_EQ(split_events("\n\n"), list{});
}

TEST(split_events, a_broken_array_is_read_as_lines) {
  EXPECT_EQ(split_events("[{\"a\":1},\n{\"b\":2}"), (list{"[{\"a\":1},", "{\"b\":2}"})) << "unclosed";
  EXPECT_EQ(split_events("[1,2] [3]"), list{"[1,2] [3]"}) << "text after the array";
  EXPECT_EQ(split_events("[1,2}"), list{"[1,2}"});
  EXPECT_EQ(split_events("[\"unterminated]"), list{"[\"unterminated]"});
}

TEST(split_events, json_lines_of_arrays_are_lines) {
  EXPECT_EQ(split_events("[1]\n[2]"), (list{"[1]", "[2]"}));
}

} // namespace
