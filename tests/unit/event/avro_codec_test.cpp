// common/event's Avro codec: Avro -> record -> Avro, against the JSON codec's shape and a
// randomised round-trip property.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/avro/decoder.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/wire_format.hpp"
#include "common/event/avro_codec.hpp"
#include "common/event/json_codec.hpp"

namespace {

using namespace freshet;

const char* rich_schema = R"({"type":"record","name":"E","namespace":"t","fields":[
  {"name":"user_id","type":"string"},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"n","type":"int"},
  {"name":"price","type":"double"},
  {"name":"ok","type":"boolean"},
  {"name":"cur","type":{"type":"enum","name":"Cur","symbols":["USD","EUR"]}},
  {"name":"ref","type":["null","string"],"default":null},
  {"name":"geo","type":{"type":"record","name":"Geo","fields":[{"name":"country","type":"string"},
                                                              {"name":"lat","type":["null","float"],"default":null}]}},
  {"name":"home","type":["null","Geo"],"default":null},
  {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
  {"name":"attrs","type":{"type":"map","values":["null","long"]},"default":{}},
  {"name":"blob","type":"bytes","default":""},
  {"name":"h","type":{"type":"fixed","name":"H","size":2},"default":"\u0000\u0000"}
]})";

avro::schema parse(const char* text) {
  auto s = avro::schema::parse(text);
  EXPECT_TRUE(s.ok()) << s.err().message;
  return *s;
}

std::string avro_of(const avro::schema& s, const std::string& json) {
  avro::json_encoder enc{s};
  std::string out;
  auto st = enc.encode(json, out);
  EXPECT_TRUE(st.ok()) << st.err().message;
  return out;
}

const std::string rich_json = R"({"user_id":"u1","ts":1700000000000,"n":-3,"price":9.5,"ok":true,"cur":"EUR",
  "ref":"r","geo":{"country":"NL","lat":52.5},"home":{"t.Geo":{"country":"BE","lat":null}},
  "tags":["a","b"],"attrs":{"k":{"long":7},"z":null},"blob":"\u00ff\u0001","h":"ab"})";

TEST(avro_codec, decodes_to_the_shape_the_json_codec_gives) {
  auto s = parse(rich_schema);
  avro::decoder dec{s};
  auto r = event::decode_avro(dec, avro_of(s, rich_json));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(std::get<std::string>(*r->get("user_id")), "u1");
  EXPECT_EQ(std::get<int64_t>(*r->get("ts")), 1700000000000);
  EXPECT_EQ(std::get<int64_t>(*r->get("n")), -3);
  EXPECT_EQ(std::get<double>(*r->get("price")), 9.5);
  EXPECT_EQ(std::get<bool>(*r->get("ok")), true);
  EXPECT_EQ(std::get<std::string>(*r->get("cur")), "EUR");
  EXPECT_EQ(std::get<std::string>(*r->get("ref")), "r");
  EXPECT_EQ(std::get<std::string>(*r->get("geo.country")), "NL");
  EXPECT_DOUBLE_EQ(std::get<double>(*r->get("geo.lat")), 52.5);
  EXPECT_EQ(std::get<std::string>(*r->get("home.country")), "BE");
  EXPECT_TRUE(event::is_null(*r->get("home.lat")));
  EXPECT_EQ(std::get<std::string>(*r->get("tags")), R"(["a","b"])");
  EXPECT_EQ(std::get<std::string>(*r->get("blob")), std::string("\xff\x01", 2));
  EXPECT_EQ(std::get<std::string>(*r->get("h")), "ab");
  // The same event through the JSON codec agrees on every scalar field.
  auto j = event::decode_json(R"({"user_id":"u1","ts":1700000000000,"n":-3,"price":9.5,"ok":true,"cur":"EUR",
    "ref":"r","geo":{"country":"NL","lat":52.5}})");
  ASSERT_TRUE(j.ok());
  for (const auto& [path, v] : j->fields())
    EXPECT_EQ(*r->get(path), v) << path;
}

TEST(avro_codec, round_trips_to_identical_bytes) {
  auto s = parse(rich_schema);
  avro::decoder dec{s};
  auto bytes = avro_of(s, rich_json);
  auto r = event::decode_avro(dec, bytes);
  ASSERT_TRUE(r.ok());
  event::avro_encoder enc{s};
  std::string again;
  auto st = enc.encode(*r, again);
  ASSERT_TRUE(st.ok()) << st.err().message;
  EXPECT_EQ(again, bytes);
}

TEST(avro_codec, a_null_nested_record_is_its_own_null_path) {
  auto s = parse(rich_schema);
  avro::decoder dec{s};
  auto r = event::decode_avro(dec, avro_of(s, R"({"user_id":"u","ts":1,"n":1,"price":1,"ok":false,"cur":"USD",
    "geo":{"country":"x"}})"));
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->get("home"), nullptr);
  EXPECT_TRUE(event::is_null(*r->get("home")));
  event::avro_encoder enc{s};
  std::string out;
  ASSERT_TRUE(enc.encode(*r, out).ok());
  auto back = event::decode_avro(dec, out);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(event::is_null(*back->get("home")));
}

TEST(avro_codec, encodes_a_json_decoded_record_with_defaults_and_conversions) {
  auto s = parse(rich_schema);
  auto r = event::decode_json(R"({"user_id":"u9","ts":12,"n":4.0,"price":3,"ok":true,"cur":"USD",
    "geo":{"country":"FR"},"extra":"dropped"})");
  ASSERT_TRUE(r.ok());
  event::avro_encoder enc{s};
  std::string out;
  auto st = enc.encode_framed(schema_id{42}, *r, out);
  ASSERT_TRUE(st.ok()) << st.err().message;
  auto frame = avro::parse_confluent(out);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->id.value(), 42);
  avro::decoder dec{s};
  auto back = event::decode_avro(dec, frame->payload);
  ASSERT_TRUE(back.ok()) << back.err().message;
  EXPECT_EQ(std::get<int64_t>(*back->get("n")), 4) << "a whole double fits an int field";
  EXPECT_EQ(std::get<double>(*back->get("price")), 3.0) << "an int64 fits a double field";
  EXPECT_TRUE(event::is_null(*back->get("ref"))) << "defaults fill absent fields";
  EXPECT_EQ(std::get<std::string>(*back->get("tags")), "[]");
  EXPECT_EQ(back->get("extra"), nullptr) << "paths the schema lacks are left out";
}

TEST(avro_codec, values_that_do_not_fit_are_rejected_with_the_encoders_reasons) {
  auto s = parse(rich_schema);
  event::avro_encoder enc{s};
  auto base = [] {
    event::record r;
    r.set("user_id", std::string{"u"});
    r.set("ts", int64_t{1});
    r.set("n", int64_t{1});
    r.set("price", 1.0);
    r.set("ok", true);
    r.set("cur", std::string{"USD"});
    r.set("geo.country", std::string{"x"});
    return r;
  };
  auto reason = [&](event::record r) {
    std::string out = "keep";
    auto st = enc.encode(r, out);
    if (!st.ok()) {
      EXPECT_EQ(out, "keep") << "output untouched on error";
    }
    return st.ok() ? std::string{"ok"} : std::string{avro::to_string(avro::reason_of(st.err()))};
  };
  EXPECT_EQ(reason(base()), "ok");
  auto r = base();
  r.set("n", int64_t{1} << 40);
  EXPECT_EQ(reason(r), "number_out_of_range");
  r = base();
  r.set("cur", std::string{"GBP"});
  EXPECT_EQ(reason(r), "unknown_enum_symbol");
  r = base();
  r.set("user_id", std::monostate{});
  EXPECT_EQ(reason(r), "null_not_allowed");
  r = base();
  r.set("ok", std::string{"yes"});
  EXPECT_EQ(reason(r), "wrong_type");
  r = base();
  r.set("user_id", std::string{"\xff\xfe"});
  EXPECT_EQ(reason(r), "invalid_utf8");
  event::record missing;
  missing.set("user_id", std::string{"u"});
  EXPECT_EQ(reason(missing), "missing_field");
}

TEST(avro_codec, only_records_describe_events) {
  auto s = parse(R"("string")");
  avro::decoder dec{s};
  auto r = event::decode_avro(dec, avro_of(s, R"("x")"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(avro::reason_of(r.err()), avro::errc::wrong_type);
  event::avro_encoder enc{s};
  std::string out;
  EXPECT_FALSE(enc.encode(event::record{}, out).ok());
}

TEST(avro_codec, bad_bytes_fail_with_decoder_reasons) {
  auto s = parse(rich_schema);
  avro::decoder dec{s};
  auto bytes = avro_of(s, rich_json);
  auto cut = event::decode_avro(dec, bytes.substr(0, bytes.size() - 3));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(avro::reason_of(cut.err()), avro::errc::truncated);
  auto longer = event::decode_avro(dec, bytes + "x");
  ASSERT_FALSE(longer.ok());
  EXPECT_EQ(avro::reason_of(longer.err()), avro::errc::trailing_bytes);
}

/// Property: for random data of the schema, Avro -> record -> Avro gives the same bytes.
TEST(avro_codec, random_events_round_trip) {
  auto s = parse(rich_schema);
  avro::decoder dec{s};
  event::avro_encoder enc{s};
  std::mt19937_64 rng{7};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto str = [&] {
    static const char* parts[] = {"a", "é", "\\\"", "z9", " ", "日本", "\\n"};
    std::string out;
    for (int i = pick(5); i > 0; --i)
      out += parts[pick(7)];
    return out;
  };
  for (int i = 0; i < 500; ++i) {
    std::string json = "{\"user_id\":\"" + str() + "\",\"ts\":" + std::to_string(rng() % 2000000000000ULL) +
                       ",\"n\":" + std::to_string(static_cast<int32_t>(rng())) +
                       ",\"price\":" + std::to_string(static_cast<double>(pick(100000)) / 7.0) +
                       ",\"ok\":" + (pick(2) ? "true" : "false") + ",\"cur\":\"" + (pick(2) ? "USD" : "EUR") + "\"" +
                       (pick(2) ? ",\"ref\":\"" + str() + "\"" : "") + ",\"geo\":{\"country\":\"" + str() + "\"" +
                       (pick(2) ? ",\"lat\":" + std::to_string(pick(90)) + ".25" : "") + "}" +
                       (pick(2) ? ",\"home\":{\"t.Geo\":{\"country\":\"" + str() + "\"}}" : "") +
                       ",\"tags\":[" + (pick(2) ? "\"" + str() + "\"" : "") + "]" +
                       ",\"attrs\":{" + (pick(2) ? "\"k\":{\"long\":" + std::to_string(pick(1000)) + "}" : "") + "}}";
    auto bytes = avro_of(s, json);
    auto r = event::decode_avro(dec, bytes);
    ASSERT_TRUE(r.ok()) << json << ": " << r.err().message;
    std::string again;
    auto st = enc.encode(*r, again);
    ASSERT_TRUE(st.ok()) << json << ": " << st.err().message;
    ASSERT_EQ(again, bytes) << json;
  }
}

} // namespace
