#pragma once

#include <string>

#include <gtest/gtest.h>

#include "common/config/enrichment_spec.hpp"
#include "common/config/pipeline_spec.hpp"

namespace freshet::enrich::testing {

inline const std::string example_dir = std::string{FRESHET_SOURCE_DIR} + "/examples/clickstream";

/// A pipeline with the clickstream example's streams and schemas, and `enrichments_yaml` (the
/// section's body, indented by two spaces) as its enrichments.
inline std::string pipeline_yaml(const std::string& enrichments_yaml) {
  return R"(pipeline: test
topics:
  - {role: raw, name: r}
  - {role: dlq, name: d}
  - {role: valid, name: v}
  - {role: quarantine, name: q}
  - {role: enriched, name: e}
  - {role: late, name: l}
  - {role: rollups, name: ro}
  - {role: schemas, name: s}
  - {role: dim_users, name: dim.the_users}
streams:
  - {name: page_view, schema: schemas/page_view.avsc, key: user_id, event_time: ts}
  - {name: add_to_cart, schema: schemas/add_to_cart.avsc, key: user_id, event_time: ts}
  - {name: purchase, schema: schemas/purchase.avsc, key: user_id, event_time: ts}
enrichments:
)" + enrichments_yaml;
}

inline config::pipeline_spec test_pipeline() {
  auto p = config::parse_pipeline_spec(pipeline_yaml(""), example_dir);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.err().describe());
  return p.ok() ? *p : config::pipeline_spec{};
}

inline result<config::enrichment_spec> parse(const std::string& enrichments_yaml) {
  return config::parse_enrichment_spec(pipeline_yaml(enrichments_yaml), test_pipeline());
}

inline config::enrichment_spec parse_ok(const std::string& enrichments_yaml) {
  auto s = parse(enrichments_yaml);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.err().describe());
  return s.ok() ? *s : config::enrichment_spec{};
}

} // namespace freshet::enrich::testing
