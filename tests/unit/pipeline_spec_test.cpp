// config::parse_pipeline_spec / load_pipeline_spec: the example loads, every validation error is caught.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config/pipeline_spec.hpp"

namespace {

using freshet::config::load_pipeline_spec;
using freshet::config::parse_pipeline_spec;
using freshet::config::required_topic_roles;

const std::string example_dir = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream";

/// A valid spec, with the topic lines and stream lines replaceable by a test.
struct spec_text {
  std::string name = "pipeline: test\n";
  std::map<std::string, std::string> topics; // role -> yaml line
  std::vector<std::string> streams{"  - {name: page_view, key: user_id, event_time: ts}\n"};

  spec_text() {
    for (const char* role : required_topic_roles)
      topics[role] = std::string{"  - {role: "} + role + ", name: t." + role + ", partitions: 2}\n";
  }
  [[nodiscard]] std::string str() const {
    std::string out = name + "topics:\n";
    for (const auto& [role, line] : topics)
      out += line;
    out += "streams:\n";
    for (const auto& s : streams)
      out += s;
    return out;
  }
};

/// The error message of a spec that must fail to parse.
std::string failure(const spec_text& t) {
  auto r = parse_pipeline_spec(t.str(), "/base");
  if (r.ok())
    return "<parsed successfully>";
  EXPECT_EQ(r.err().domain, freshet::error_domain::config);
  return r.err().message;
}

#define EXPECT_MENTIONS(text, needle) EXPECT_NE((text).find(needle), std::string::npos) << (text)

TEST(pipeline_spec, the_clickstream_example_loads) {
  auto spec = load_pipeline_spec(example_dir + "/pipeline.yaml");
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  EXPECT_EQ(spec->name, "clickstream");
  EXPECT_EQ(std::filesystem::path{spec->base_dir}, std::filesystem::canonical(example_dir));
  EXPECT_EQ(spec->topics.size(), 11u);
  for (const char* role : required_topic_roles)
    EXPECT_NE(spec->topic(role), nullptr) << role;
  EXPECT_EQ(spec->topic_name("raw"), "events.raw");
  EXPECT_EQ(spec->topic("raw")->partitions, 6);
  EXPECT_EQ(spec->topic("raw")->cleanup, "delete");
  EXPECT_EQ(spec->topic("raw")->retention_ms, -1);
  EXPECT_EQ(spec->topic("dlq")->retention_ms, 1'209'600'000);
  EXPECT_EQ(spec->topic("schemas")->name, "_schemas");
  EXPECT_EQ(spec->topic("schemas")->cleanup, "compact");
  EXPECT_EQ(spec->topic("dim_users")->partitions, 1);

  ASSERT_EQ(spec->streams.size(), 3u);
  const auto* pv = spec->stream("page_view");
  ASSERT_NE(pv, nullptr);
  EXPECT_EQ(pv->key_field, "user_id");
  EXPECT_EQ(pv->event_time_field, "ts");
  auto schema = spec->resolve(pv->schema_file);
  EXPECT_TRUE(std::filesystem::path{schema}.is_absolute()) << schema;
  EXPECT_TRUE(std::filesystem::exists(schema)) << schema;
  EXPECT_NE(spec->stream("purchase"), nullptr);
  EXPECT_EQ(spec->stream("nope"), nullptr);
}

TEST(pipeline_spec, lookups_of_absent_roles) {
  auto spec = parse_pipeline_spec(spec_text{}.str(), "/base");
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  EXPECT_EQ(spec->topic("dim_users"), nullptr);
  EXPECT_THROW((void) spec->topic_name("dim_users"), std::out_of_range);
}

TEST(pipeline_spec, defaults_of_optional_fields) {
  spec_text t;
  t.topics["raw"] = "  - {role: raw, name: r}\n";
  t.streams = {"  - name: bare\n"};
  auto spec = parse_pipeline_spec(t.str(), "/base");
  ASSERT_TRUE(spec.ok()) << spec.err().describe();
  EXPECT_EQ(spec->topic("raw")->partitions, 1);
  EXPECT_EQ(spec->topic("raw")->cleanup, "delete");
  EXPECT_EQ(spec->topic("raw")->retention_ms, -1);
  EXPECT_EQ(spec->stream("bare")->key_field, "");
  EXPECT_EQ(spec->stream("bare")->event_time_field, "");
}

TEST(pipeline_spec, resolve_keeps_absolute_paths_and_normalises_relative_ones) {
  auto spec = parse_pipeline_spec(spec_text{}.str(), "/base/dir");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->resolve("/abs/x.avsc"), "/abs/x.avsc");
  EXPECT_EQ(spec->resolve("schemas/x.avsc"), "/base/dir/schemas/x.avsc");
  EXPECT_EQ(spec->resolve("../up/./x.avsc"), "/base/up/x.avsc");
}

TEST(pipeline_spec, each_missing_required_role_is_reported) {
  for (const char* role : required_topic_roles) {
    spec_text t;
    t.topics.erase(role);
    auto msg = failure(t);
    EXPECT_MENTIONS(msg, std::string{"'"} + role + "'");
  }
}

TEST(pipeline_spec, duplicate_stream_is_rejected) {
  spec_text t;
  t.streams.push_back("  - {name: page_view}\n");
  EXPECT_MENTIONS(failure(t), "stream 'page_view' appears twice");
}

TEST(pipeline_spec, duplicate_topic_role_is_rejected) {
  spec_text t;
  t.topics["zz"] = "  - {role: raw, name: other}\n";
  EXPECT_MENTIONS(failure(t), "role 'raw' appears twice");
}

TEST(pipeline_spec, bad_cleanup_policy_is_rejected) {
  spec_text t;
  t.topics["late"] = "  - {role: late, name: t.late, cleanup: compact_delete}\n";
  EXPECT_MENTIONS(failure(t), "cleanup must be 'delete' or 'compact'");
}

TEST(pipeline_spec, partitions_below_one_are_rejected) {
  for (const char* n : {"0", "-1"}) {
    spec_text t;
    t.topics["raw"] = std::string{"  - {role: raw, name: t.raw, partitions: "} + n + "}\n";
    EXPECT_MENTIONS(failure(t), "partitions must be at least 1");
  }
}

TEST(pipeline_spec, non_numeric_partitions_are_an_error_not_an_exception) {
  spec_text t;
  t.topics["raw"] = "  - {role: raw, name: t.raw, partitions: six}\n";
  EXPECT_MENTIONS(failure(t), "pipeline spec");
}

TEST(pipeline_spec, bad_stream_names_are_rejected) {
  for (const char* name : {"'page view'", "page.view", "page/view", "'über'", "'a;b'"}) {
    spec_text t;
    t.streams = {std::string{"  - {name: "} + name + "}\n"};
    EXPECT_MENTIONS(failure(t), "may hold only letters, digits") << name;
  }
  spec_text ok;
  ok.streams = {"  - {name: Page-View_2}\n"};
  EXPECT_TRUE(parse_pipeline_spec(ok.str(), "/").ok());
}

TEST(pipeline_spec, other_structural_errors) {
  spec_text no_name;
  no_name.name = "";
  EXPECT_MENTIONS(failure(no_name), "missing 'pipeline'");

  spec_text no_streams;
  no_streams.streams.clear();
  EXPECT_MENTIONS(failure(no_streams), "no streams");

  spec_text nameless_stream;
  nameless_stream.streams = {"  - {key: user_id}\n"};
  EXPECT_MENTIONS(failure(nameless_stream), "every stream needs a name");

  spec_text nameless_topic;
  nameless_topic.topics["raw"] = "  - {role: raw}\n";
  EXPECT_MENTIONS(failure(nameless_topic), "role and a name");

  EXPECT_FALSE(parse_pipeline_spec("pipeline: [unclosed\n", "/").ok());
  EXPECT_FALSE(parse_pipeline_spec("", "/").ok());
  EXPECT_FALSE(parse_pipeline_spec("just a scalar", "/").ok());
}

TEST(pipeline_spec, loading_a_missing_file_is_an_error) {
  auto r = load_pipeline_spec("/nonexistent/freshet/pipeline.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_MENTIONS(r.err().message, "cannot open");
}

} // namespace
