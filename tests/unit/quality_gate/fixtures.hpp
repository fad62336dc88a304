// Shared by the quality-gate unit tests: a small pipeline, spec parsing, and raw records.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config/expectations_spec.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/kafka/record.hpp"

namespace qg_test {

/// Two streams: `orders` (event time `ts`) and `clicks` (no event time).
inline freshet::config::pipeline_spec pipeline() {
  std::string yaml = "pipeline: t\ntopics:\n";
  for (const char* role : freshet::config::required_topic_roles)
    yaml += std::string{"  - {role: "} + role + ", name: t." + role + "}\n";
  yaml += "streams:\n  - {name: orders, key: user_id, event_time: ts}\n  - {name: clicks}\n";
  auto spec = freshet::config::parse_pipeline_spec(yaml, "/tmp");
  EXPECT_TRUE(spec.ok()) << spec.err().describe();
  return *spec;
}

/// Parses `expectations:` YAML given as the section's body (indented by the caller).
inline freshet::result<freshet::config::expectations_spec> parse(const std::string& section) {
  static const auto p = pipeline();
  return freshet::config::parse_expectations_spec("expectations:\n" + section, p);
}

/// One orders/clicks expectation list as the section's YAML.
inline std::string stream_section(const std::string& stream, const std::vector<std::string>& items) {
  std::string out = "  streams:\n    " + stream + ":\n";
  for (const auto& i : items)
    out += "      - " + i + "\n";
  return out;
}

inline freshet::kafka::consumed_record raw(const std::string& stream, const std::string& value, int64_t offset = 7,
                                           std::vector<freshet::kafka::header> extra = {}) {
  freshet::kafka::consumed_record r;
  r.topic = "t.raw";
  r.partition = 3;
  r.offset = offset;
  r.timestamp_ms = 1'700'000'000'000;
  r.key = "k" + std::to_string(offset);
  r.value = value;
  if (!stream.empty())
    r.headers.push_back({"freshet.stream", stream});
  for (auto& h : extra)
    r.headers.push_back(std::move(h));
  return r;
}

inline const std::string* header(const freshet::kafka::outgoing_record& r, const std::string& key) {
  for (const auto& h : r.headers)
    if (h.key == key)
      return &h.value;
  return nullptr;
}

inline int header_count(const freshet::kafka::outgoing_record& r, const std::string& key) {
  int n = 0;
  for (const auto& h : r.headers)
    n += h.key == key;
  return n;
}

} // namespace qg_test

#define EXPECT_MENTIONS(text, needle) EXPECT_NE(std::string{text}.find(needle), std::string::npos) << (text)
