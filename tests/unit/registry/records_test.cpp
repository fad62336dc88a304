// The `_schemas` record codec: Confluent's key and value JSON, tombstones, what it tolerates.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "services/registry/errc.hpp"
#include "services/registry/records.hpp"

namespace freshet::registry {
namespace {

store_record roundtrip(const store_record& r) {
  auto enc = encode(r);
  auto dec = decode(enc.key, enc.value);
  EXPECT_TRUE(dec.ok()) << (dec.ok() ? "" : dec.err().message);
  return dec.ok() ? *dec : store_record{noop_record{}};
}

TEST(records, every_kind_survives_a_roundtrip) {
  schema_value v{"s", 3, schema_id{7}, R"({"type":"string"})", "AVRO", true};
  auto s = std::get<schema_record>(roundtrip(schema_record{"s", 3, v}));
  ASSERT_TRUE(s.value);
  EXPECT_EQ(s.value->id, schema_id{7});
  EXPECT_EQ(s.value->version, 3);
  EXPECT_TRUE(s.value->deleted);
  EXPECT_EQ(s.value->schema, v.schema);
  auto gone = std::get<schema_record>(roundtrip(schema_record{"s", 3, std::nullopt}));
  EXPECT_FALSE(gone.value);
  EXPECT_EQ(gone.subject, "s");
  auto global = std::get<config_record>(roundtrip(config_record{std::nullopt, avro::compat_level::full}));
  EXPECT_FALSE(global.subject);
  EXPECT_EQ(global.level, avro::compat_level::full);
  auto subject = std::get<config_record>(roundtrip(config_record{"s", std::nullopt}));
  EXPECT_EQ(subject.subject, "s");
  EXPECT_FALSE(subject.level);
  EXPECT_EQ(std::get<id_watermark_record>(roundtrip(id_watermark_record{42})).next_id, 42);
  EXPECT_EQ(std::get<noop_record>(roundtrip(noop_record{"r1"})).writer, "r1");
  EXPECT_EQ(std::get<delete_subject_record>(roundtrip(delete_subject_record{"s", 2})).version, 2);
  EXPECT_EQ(std::get<clear_subject_record>(roundtrip(clear_subject_record{"s"})).subject, "s");
}

TEST(records, confluent_written_records_decode) {
  // As Confluent's registry writes them (extra members in the value, global config subject null).
  auto s = decode(R"({"keytype":"SCHEMA","subject":"t-value","version":1,"magic":1})",
                  std::string{R"({"subject":"t-value","version":1,"id":21,"schemaType":"AVRO",)"
                              R"("schema":"\"string\"","deleted":false,"metadata":null})"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(std::get<schema_record>(*s).value->id, schema_id{21});
  auto c = decode(R"({"keytype":"CONFIG","subject":null,"magic":0})", std::string{R"({"compatibilityLevel":"FORWARD"})"});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(std::get<config_record>(*c).subject);
  EXPECT_EQ(std::get<config_record>(*c).level, avro::compat_level::forward);
  auto mode = decode(R"({"keytype":"MODE","subject":null,"magic":0})", std::string{R"({"mode":"READWRITE"})"});
  ASSERT_TRUE(mode.ok());
  EXPECT_TRUE(std::holds_alternative<noop_record>(*mode));
  auto noop = decode(R"({"keytype":"NOOP","magic":0})", std::nullopt);
  ASSERT_TRUE(noop.ok());
}

TEST(records, malformed_records_are_store_errors) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::optional<std::string>>>{
         {"not json", std::nullopt},
         {R"({"subject":"s"})", std::nullopt},
         {R"({"keytype":"SCHEMA","version":1,"magic":1})", std::nullopt},
         {R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})", std::string{"{}"}},
         {R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})", std::string{R"({"id":"x","schema":"1"})"}},
         {R"({"keytype":"CONFIG","subject":"s","magic":0})", std::string{R"({"compatibilityLevel":"SIDEWAYS"})"}},
         {R"({"keytype":"ID_WATERMARK","magic":0})", std::string{"[]"}},
       }) {
    auto r = decode(key, value);
    ASSERT_FALSE(r.ok()) << key;
    EXPECT_EQ(r.err().code, static_cast<int>(errc::store_error)) << key;
  }
}

} // namespace
} // namespace freshet::registry
