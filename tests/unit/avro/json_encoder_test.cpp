#include <gtest/gtest.h>

#include "common/avro/decoder.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/wire_format.hpp"
#include "tests/unit/avro/avro_test_util.hpp"

namespace freshet::avro {
namespace {

using test::example_schema;
using test::hex;
using test::must_parse;

struct fixture {
  explicit fixture(const std::string& schema_text, encode_options o = {}) : enc(must_parse(schema_text), o) {}
  json_encoder enc;

  std::string ok(const std::string& json) {
    std::string out;
    auto st = enc.encode(json, out);
    EXPECT_TRUE(st.ok()) << json << ": " << (st.ok() ? "" : st.err().message);
    return out;
  }
  errc reason(const std::string& json, std::string* message = nullptr) {
    std::string out = "keep";
    auto st = enc.encode(json, out);
    EXPECT_FALSE(st.ok()) << "accepted: " << json;
    EXPECT_EQ(out, "keep") << "output must be left untouched on error";
    if (st.ok())
      return errc{0};
    if (message)
      *message = st.err().message;
    return reason_of(st.err());
  }
};

const char* page_view_json =
    R"({"user_id":"u-1","ts":1700000000000,"url":"https://x.io/a","referrer":null,"user_agent":"Mozilla/5.0","ip":"10.0.0.1"})";

TEST(avro_json_encoder, page_view_bytes) {
  fixture f{example_schema("page_view")};
  auto out = f.ok(page_view_json);
  // "u-1" | ts zigzag varint | url | union 0 | union 1 + "Mozilla/5.0" | union 1 + "10.0.0.1"
  EXPECT_EQ(hex(out), "06752d31" "80a0abfef962" "1c68747470733a2f2f782e696f2f61" "00" "02164d6f7a696c6c612f352e30"
                      "0210" "31302e302e302e31");
}

TEST(avro_json_encoder, field_order_does_not_matter) {
  fixture f{example_schema("page_view")};
  auto in_order = f.ok(page_view_json);
  EXPECT_EQ(f.ok(R"({"ip":"10.0.0.1","user_agent":"Mozilla/5.0","referrer":null,"url":"https://x.io/a","ts":1700000000000,"user_id":"u-1"})"),
            in_order);
  EXPECT_EQ(f.ok(R"({"url":"https://x.io/a","user_id":"u-1","ts":1700000000000,"ip":"10.0.0.1","referrer":null,"user_agent":"Mozilla/5.0"})"),
            in_order);
  EXPECT_EQ(f.ok(" {\n \"user_id\" : \"u-1\" , \"ts\":1700000000000,\t\"url\":\"https://x.io/a\",\"user_agent\":{\"string\":\"Mozilla/5.0\"},"
                 "\"ip\":{\"string\":\"10.0.0.1\"}} \n"),
            in_order);
}

TEST(avro_json_encoder, absent_fields_take_defaults) {
  fixture f{example_schema("page_view")};
  auto out = f.ok(R"({"user_id":"u","ts":0,"url":""})");
  EXPECT_EQ(hex(out), "0275" "00" "00" "000000");
  fixture g{R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":7},
    {"name":"b","type":{"type":"record","name":"S","fields":[{"name":"x","type":"string","default":"d"}]},"default":{}}]})"};
  EXPECT_EQ(hex(g.ok("{}")), "0e" "0264");
  EXPECT_EQ(hex(g.ok(R"({"b":{}})")), "0e" "0264");
  EXPECT_EQ(hex(g.ok(R"({"b":{"x":"q"},"a":1})")), "02" "0271");
}

TEST(avro_json_encoder, unions_bare_and_wrapped) {
  fixture f{R"(["null","int","long","double","string",{"type":"enum","name":"E","symbols":["A","B"]},
    {"type":"array","items":"int"},{"type":"map","values":"string"},"boolean"])"};
  EXPECT_EQ(hex(f.ok("null")), "00");
  EXPECT_EQ(hex(f.ok("5")), "020a");
  EXPECT_EQ(hex(f.ok("5000000000")), "0480c8afa025");
  EXPECT_EQ(hex(f.ok("1.5")), "06000000000000f83f");
  EXPECT_EQ(hex(f.ok(R"("A")")), "080241"); // a string: the string branch comes first
  EXPECT_EQ(hex(f.ok(R"({"E":"B"})")), "0a02");
  EXPECT_EQ(hex(f.ok(R"({"long":5})")), "040a");
  EXPECT_EQ(hex(f.ok(R"({"double":5})")), "060000000000001440");
  EXPECT_EQ(hex(f.ok("[1,2]")), "0c04020400");
  EXPECT_EQ(hex(f.ok(R"({"k":"v"})")), "0e02026b027600"); // a bare map (k is no branch name)
  EXPECT_EQ(hex(f.ok(R"({"map":{"k":"v"}})")), "0e02026b027600");
  EXPECT_EQ(hex(f.ok("true")), "1001");
  // A record with a field named like a branch is still read bare when it has more members.
  fixture r{R"(["null",{"type":"record","name":"R","fields":[{"name":"int","type":"int"},{"name":"s","type":"string"}]}])"};
  EXPECT_EQ(hex(r.ok(R"({"int":1,"s":"x"})")), "02" "02" "0278");
  EXPECT_EQ(hex(r.ok(R"({"R":{"int":1,"s":"x"}})")), "02" "02" "0278");
  EXPECT_EQ(r.reason(R"({"int":1})"), errc::missing_field);
}

TEST(avro_json_encoder, containers) {
  fixture f{R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"long"}},
    {"name":"m","type":{"type":"map","values":{"type":"array","items":"string"}}}]})"};
  EXPECT_EQ(hex(f.ok(R"({"a":[],"m":{}})")), "00" "00");
  EXPECT_EQ(hex(f.ok(R"({"m":{"x":["p"],"y":[]},"a":[1,-1,64]})")),
            "06" "02" "01" "8001" "00" "04" "0278" "02" "0270" "00" "0279" "00" "00");
  // 70 items: the count needs two varint bytes, inserted in front once known.
  std::string big = R"({"a":[)";
  for (int i = 0; i < 70; ++i)
    big += (i ? ",1" : "1");
  big += R"(],"m":{}})";
  auto out = f.ok(big);
  EXPECT_EQ(hex(out.substr(0, 3)), "8c0102");
  EXPECT_EQ(out.size(), 2 + 70 + 1 + 1u);
}

TEST(avro_json_encoder, scalars) {
  fixture f{R"({"type":"record","name":"R","fields":[
    {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},
    {"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"y","type":"bytes"},
    {"name":"x","type":{"type":"fixed","name":"F","size":2}},{"name":"s","type":"string"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},{"name":"n","type":"null"}]})"};
  auto out = f.ok(R"({"b":true,"i":-2147483648,"l":-9223372036854775808,"f":0.5,"d":-0.25e1,"y":"\u0000\u00ffa",
    "x":"\u00ab\u00cd","s":"\u00e9\ud83d\ude00\"\\\/\b\f\n\r\t","e":"C","n":null})");
  EXPECT_EQ(hex(out), "01" "ffffffff0f" "ffffffffffffffffff01" "0000003f" "00000000000004c0" "0600ff61" "abcd"
                      "1c" "c3a9f09f9880225c2f080c0a0d09" "04");
  EXPECT_EQ(hex(f.ok(R"({"b":false,"i":0,"l":0,"f":1e-60,"d":1e-400,"y":"","x":"ab","s":"","e":"A","n":null})")),
            "00" "00" "00" "00000000" "0000000000000000" "00" "6162" "00" "00");
}

TEST(avro_json_encoder, decimals_from_numbers_or_bytes) {
  fixture f{R"({"type":"record","name":"R","fields":[
    {"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
    {"name":"b","type":{"type":"fixed","name":"D","size":4,"logicalType":"decimal","precision":9,"scale":2}}]})"};
  EXPECT_EQ(hex(f.ok(R"({"a":12.34,"b":-1})")), "04" "04d2" "ffffff9c");
  EXPECT_EQ(hex(f.ok(R"({"a":1.5e2,"b":0})")), "04" "3a98" "00000000");
  EXPECT_EQ(hex(f.ok(R"({"a":"\u0004\u00d2","b":"\u0000\u0000\u0000\u0001"})")), "04" "04d2" "00000001");
  EXPECT_EQ(f.reason(R"({"a":1.234,"b":0})"), errc::number_out_of_range);
  EXPECT_EQ(f.reason(R"({"a":12345678.9,"b":0})"), errc::number_out_of_range);
  EXPECT_EQ(f.reason(R"({"a":0e-999999999,"b":1e999999999})"), errc::number_out_of_range);
}

// 38 digits and a scale to fill: the scaling must stop before the 128-bit value overflows (found by fuzzing).
TEST(avro_json_encoder, decimals_at_38_digits_do_not_overflow_when_scaled) {
  fixture f{R"({"type":"record","name":"R","fields":[
    {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":38,"scale":2}}]})"};
  std::string msg;
  EXPECT_EQ(f.reason(R"({"dec":2226666666662666666666666666666666666})", &msg), errc::number_out_of_range);
  EXPECT_NE(msg.find("exceeds precision 38"), std::string::npos) << msg;
  EXPECT_EQ(f.reason(R"({"dec":99999999999999999999999999999999999999})"), errc::number_out_of_range);
  EXPECT_EQ(hex(f.ok(R"({"dec":999999999999999999999999999999999999.99})")),
            "20" "4b3b4ca85a86c47a098a223fffffffff");
}

TEST(avro_json_encoder, every_rejection_reason) {
  fixture pv{example_schema("page_view")};
  fixture pu{example_schema("purchase")};
  const std::string base = R"("user_id":"u","ts":1,"order_id":"o","amount":1.5,"items":2)";
  std::string msg;

  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1,"url":"x")"), errc::malformed_json);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1,"url":"x"} x)"), errc::malformed_json);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1,"url":"x",})"), errc::malformed_json);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","user_id":"v","ts":1,"url":"x"})"), errc::malformed_json);
  EXPECT_EQ(pv.reason(R"({"user_id":"u\x","ts":1,"url":"x"})"), errc::malformed_json);
  EXPECT_EQ(pv.reason(""), errc::malformed_json);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":01,"url":"x"})"), errc::malformed_json);
  EXPECT_EQ(pv.reason("{\"user_id\":\"a\nb\",\"ts\":1,\"url\":\"x\"}"), errc::malformed_json);

  EXPECT_EQ(pv.reason(R"({"user_id":7,"ts":1,"url":"x"})", &msg), errc::wrong_type);
  EXPECT_NE(msg.find("$.user_id"), std::string::npos) << msg;
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":"1","url":"x"})"), errc::wrong_type);
  EXPECT_EQ(pv.reason(R"([1])"), errc::wrong_type);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1,"url":"x","ip":5})"), errc::wrong_type);

  EXPECT_EQ(pv.reason(R"({"user_id":"u","url":"x"})", &msg), errc::missing_field);
  EXPECT_NE(msg.find("'ts'"), std::string::npos) << msg;

  EXPECT_EQ(pv.reason(R"({"user_id":null,"ts":1,"url":"x"})"), errc::null_not_allowed);
  EXPECT_EQ(pu.reason("{" + base + R"(,"currency":null})"), errc::null_not_allowed);

  EXPECT_EQ(pu.reason("{" + base + R"(,"currency":"CHF"})", &msg), errc::unknown_enum_symbol);
  EXPECT_NE(msg.find("CHF"), std::string::npos);
  EXPECT_NE(msg.find("$.currency"), std::string::npos);

  EXPECT_EQ(pu.reason(R"({"user_id":"u","ts":1,"order_id":"o","amount":1.5,"items":2147483648,"currency":"USD"})"),
            errc::number_out_of_range);
  EXPECT_EQ(pu.reason(R"({"user_id":"u","ts":1,"order_id":"o","amount":1.5,"items":2.5,"currency":"USD"})"),
            errc::number_out_of_range);
  EXPECT_EQ(pu.reason(R"({"user_id":"u","ts":1,"order_id":"o","amount":1.5,"items":1e2,"currency":"USD"})"),
            errc::number_out_of_range);
  EXPECT_EQ(pu.reason(R"({"user_id":"u","ts":1,"order_id":"o","amount":1e999,"items":1,"currency":"USD"})"),
            errc::number_out_of_range);
  fixture fl{R"("float")"};
  EXPECT_EQ(fl.reason("1e39"), errc::number_out_of_range);
  fixture lg{R"("long")"};
  EXPECT_EQ(lg.reason("9223372036854775808"), errc::number_out_of_range);
  EXPECT_EQ(hex(lg.ok("9223372036854775807")), "feffffffffffffffff01");

  EXPECT_EQ(pv.reason("{\"user_id\":\"\xc3\x28\",\"ts\":1,\"url\":\"x\"}"), errc::invalid_utf8);
  EXPECT_EQ(pv.reason("{\"user_id\":\"\xed\xa0\x80\",\"ts\":1,\"url\":\"x\"}"), errc::invalid_utf8); // encoded surrogate
  EXPECT_EQ(pv.reason("{\"user_id\":\"\xf8\x88\x80\x80\x80\",\"ts\":1,\"url\":\"x\"}"), errc::invalid_utf8);
  EXPECT_EQ(pv.reason(R"({"user_id":"\ud800","ts":1,"url":"x"})"), errc::invalid_utf8);
  EXPECT_EQ(pv.reason(R"({"user_id":"\udc00x","ts":1,"url":"x"})"), errc::invalid_utf8);
  EXPECT_EQ(pv.reason("{\"user_id\":\"u\",\"ts\":1,\"url\":\"x\",\"ip\":\"\xff\"}"), errc::invalid_utf8);

  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1,"url":"x","session":"s"})", &msg), errc::unknown_field);
  EXPECT_NE(msg.find("session"), std::string::npos);

  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":-1,"url":"x"})"), errc::bad_timestamp);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1.5,"url":"x"})"), errc::bad_timestamp);
  EXPECT_EQ(pv.reason(R"({"user_id":"u","ts":1e3,"url":"x"})"), errc::bad_timestamp);
  fixture ots{R"(["null",{"type":"long","logicalType":"timestamp-micros"}])"};
  EXPECT_EQ(ots.reason("-5"), errc::bad_timestamp);
  EXPECT_EQ(hex(ots.ok("5")), "020a");
  fixture old_ts{R"({"type":"long","logicalType":"timestamp-millis"})", encode_options{.allow_negative_timestamps = true}};
  EXPECT_EQ(hex(old_ts.ok("-1")), "01");
  EXPECT_EQ(old_ts.reason("-1.5"), errc::bad_timestamp);

  fixture deep{R"({"type":"array","items":{"type":"array","items":{"type":"array","items":"int"}}})",
               encode_options{.max_depth = 2}};
  EXPECT_EQ(deep.reason("[[[1]]]"), errc::too_deep);
  fixture rec{R"({"type":"record","name":"T","fields":[{"name":"c","type":["null","T"],"default":null}]})"};
  std::string nested;
  for (int i = 0; i < 100; ++i)
    nested += R"({"c":)";
  nested += "null";
  for (int i = 0; i < 100; ++i)
    nested += "}";
  EXPECT_EQ(rec.reason(nested), errc::too_deep);
  fixture ign{R"({"type":"record","name":"R","fields":[]})", encode_options{.unknown_fields = unknown_field_policy::ignore, .max_depth = 3}};
  EXPECT_EQ(ign.reason(R"({"x":[[[[1]]]]})"), errc::too_deep);
}

TEST(avro_json_encoder, unknown_fields_can_be_ignored) {
  fixture f{example_schema("page_view"), encode_options{.unknown_fields = unknown_field_policy::ignore}};
  fixture strict{example_schema("page_view")};
  auto a = f.ok(R"({"user_id":"u","extra":{"deep":[1,2,{"x":null}],"s":"\u00e9"},"ts":1,"url":"x","more":true})");
  EXPECT_EQ(a, strict.ok(R"({"user_id":"u","ts":1,"url":"x"})"));
  EXPECT_EQ(f.reason(R"({"user_id":"u","extra":[1,],"ts":1,"url":"x"})"), errc::malformed_json);
}

TEST(avro_json_encoder, errors_name_the_json_path) {
  fixture f{R"({"type":"record","name":"R","fields":[{"name":"items","type":{"type":"array","items":
    {"type":"record","name":"I","fields":[{"name":"price","type":"double"}]}}}]})"};
  std::string msg;
  EXPECT_EQ(f.reason(R"({"items":[{"price":1},{"price":2},{"price":"3"}]})", &msg), errc::wrong_type);
  EXPECT_NE(msg.find("$.items[2].price"), std::string::npos) << msg;
  EXPECT_EQ(f.reason(R"({"items":[{"price":1},{"price":2},{"price":"3"}]})", &msg), errc::wrong_type);
}

TEST(avro_json_encoder, encoder_is_reusable_after_errors) {
  fixture f{example_schema("page_view")};
  auto good = f.ok(page_view_json);
  EXPECT_EQ(f.reason(R"({"ip":"1","user_id":"u","ts":"bad","url":"x"})"), errc::wrong_type);
  EXPECT_EQ(f.ok(page_view_json), good);
}

TEST(avro_wire_format, frames_and_parses) {
  auto framed = frame_confluent(schema_id{0x01020304}, "\x02\x03");
  EXPECT_EQ(hex(framed), "00010203040203");
  auto f = parse_confluent(framed);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->id, schema_id{0x01020304});
  EXPECT_EQ(f->payload, "\x02\x03");
  EXPECT_EQ(reason_of(parse_confluent("\x01\x00\x00\x00\x01").err()), errc::not_confluent_framed);
  EXPECT_EQ(reason_of(parse_confluent(std::string("\x00\x00\x01", 3)).err()), errc::truncated);
  EXPECT_EQ(reason_of(parse_confluent("").err()), errc::truncated);
  auto empty_payload = parse_confluent(std::string(5, '\0'));
  ASSERT_TRUE(empty_payload.ok());
  EXPECT_TRUE(empty_payload->payload.empty());

  json_encoder enc{must_parse(example_schema("page_view"))};
  std::string out;
  ASSERT_TRUE(enc.encode_framed(schema_id{7}, page_view_json, out).ok());
  auto pf = parse_confluent(out);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf->id.value(), 7);
  decoder dec{enc.encoding_schema()};
  EXPECT_TRUE(dec.decode(pf->payload).ok());
  std::string kept = "x";
  EXPECT_FALSE(enc.encode_framed(schema_id{7}, "{}", kept).ok());
  EXPECT_EQ(kept, "x");
}

} // namespace
} // namespace freshet::avro
