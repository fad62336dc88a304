// The materialized view: applying `_schemas` records, including Confluent's own record kinds, and
// the invariant checks that count conflicting records.
#include <gtest/gtest.h>

#include "services/registry/registry_state.hpp"

namespace freshet::registry {
namespace {

schema_record version(const std::string& subject, int32_t v, int32_t id, const std::string& schema, bool deleted = false) {
  return schema_record{subject, v, schema_value{subject, v, schema_id{id}, schema, "AVRO", deleted}};
}

TEST(registry_state, versions_ids_and_identities) {
  registry_state st;
  st.apply(version("a", 1, 1, R"("string")"));
  st.apply(version("b", 1, 1, R"({"type": "string"})"));
  st.apply(version("a", 2, 2, R"("int")"));
  EXPECT_EQ(st.next_id(), schema_id{3});
  EXPECT_EQ(st.id_of(st.schema(schema_id{1})->identity), schema_id{1});
  EXPECT_EQ(st.usages(schema_id{1}).size(), 2u);
  EXPECT_EQ(st.live_versions("a").size(), 2u);
  EXPECT_EQ(st.conflicts(), 0);
  // Soft delete is a rewrite of the record; the schema stays known by id.
  st.apply(version("a", 2, 2, R"("int")", true));
  EXPECT_EQ(st.live_versions("a").size(), 1u);
  ASSERT_NE(st.schema(schema_id{2}), nullptr);
  // A tombstone removes the version, and the schema once nothing holds it.
  st.apply(schema_record{"a", 2, std::nullopt});
  EXPECT_EQ(st.schema(schema_id{2}), nullptr);
  EXPECT_EQ(st.next_id(), schema_id{3}) << "ids are not handed out again";
}

TEST(registry_state, confluent_delete_and_clear_subject_records) {
  registry_state st;
  st.apply(version("s", 1, 1, R"("string")"));
  st.apply(version("s", 2, 2, R"("int")"));
  st.apply(version("s", 3, 3, R"("long")"));
  st.apply(delete_subject_record{"s", 2});
  EXPECT_EQ(st.live_versions("s").size(), 1u);
  st.apply(clear_subject_record{"s"});
  ASSERT_NE(st.versions("s"), nullptr);
  EXPECT_EQ(st.versions("s")->size(), 1u);
  EXPECT_EQ(st.schema(schema_id{1}), nullptr);
}

TEST(registry_state, config_records_set_and_clear_levels) {
  registry_state st;
  EXPECT_EQ(st.effective_level("s", avro::compat_level::backward), avro::compat_level::backward);
  st.apply(config_record{std::nullopt, avro::compat_level::full});
  st.apply(config_record{"s", avro::compat_level::none});
  EXPECT_EQ(st.effective_level("s", avro::compat_level::backward), avro::compat_level::none);
  EXPECT_EQ(st.effective_level("t", avro::compat_level::backward), avro::compat_level::full);
  st.apply(config_record{"s", std::nullopt});
  st.apply(config_record{std::nullopt, std::nullopt});
  EXPECT_EQ(st.effective_level("s", avro::compat_level::backward), avro::compat_level::backward);
}

TEST(registry_state, watermark_keeps_ids_monotonic_after_compaction) {
  registry_state st;
  st.apply(id_watermark_record{10});
  st.apply(version("s", 1, 4, R"("string")"));
  EXPECT_EQ(st.next_id(), schema_id{10});
}

TEST(registry_state, records_breaking_invariants_are_counted) {
  registry_state st;
  st.apply(version("a", 1, 1, R"("string")"));
  st.apply(version("b", 1, 1, R"("int")"));      // one id, two schemas
  EXPECT_EQ(st.conflicts(), 1);
  st.apply(version("a", 1, 5, R"("string")"));   // one version, two ids (and one schema, two ids)
  EXPECT_GE(st.conflicts(), 2);
  EXPECT_EQ(st.versions("a")->at(1).id, schema_id{5}) << "the later record wins, as after compaction";
}

} // namespace
} // namespace freshet::registry
