// Events into rows (record_mapping), rows into data files, and the files' Delta statistics.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/event/json_codec.hpp"
#include "common/lake/avro_mapping.hpp"
#include "common/lake/data_file.hpp"
#include "common/lake/errc.hpp"
#include "common/lake/file_stats.hpp"
#include "common/lake/json_rows.hpp"
#include "common/lake/record_mapping.hpp"
#include "common/parquet/reader.hpp"
#include "tests/unit/lake/temp_table_dir.hpp"

namespace {

using namespace freshet::lake;
using freshet::parquet::value;
using k = data_type::kind;
using freshet::lake::testing::temp_table_dir;

freshet::event::record json_record(const std::string& text) {
  auto r = freshet::event::decode_json(text);
  EXPECT_TRUE(r.ok()) << text;
  return std::move(*r);
}

table_schema event_columns() {
  auto s = table_schema_from_avsc(R"({"type":"record","name":"E","fields":[
    {"name":"id","type":"long"},
    {"name":"name","type":["null","string"],"default":null},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"score","type":"double"},
    {"name":"n","type":"int","default":7},
    {"name":"ok","type":"boolean"},
    {"name":"geo","type":["null",{"type":"record","name":"G","fields":[{"name":"country","type":"string"},
                                                                         {"name":"lat","type":["null","double"],"default":null}]}],"default":null},
    {"name":"tags","type":["null",{"type":"array","items":"string"}],"default":null},
    {"name":"attrs","type":["null",{"type":"map","values":"long"}],"default":null},
    {"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null}]})");
  EXPECT_TRUE(s.ok()) << s.err().describe();
  return *s;
}

TEST(row_mapper, maps_flat_nested_array_and_map_fields) {
  row_mapper m{event_columns()};
  auto row = m.map(json_record(R"({"id":42,"name":"ann","ts":1714521600123,"score":2,"ok":true,
    "geo":{"country":"DE","lat":52.5},"tags":["a","b"],"attrs":{"x":1,"y":2},"day":"2024-05-01","extra":"ignored"})"));
  ASSERT_TRUE(row.ok()) << row.err().describe();
  ASSERT_EQ(row->size(), 10u);
  EXPECT_EQ((*row)[0], value::int64(42));
  EXPECT_EQ((*row)[1], value::bytes("ann"));
  EXPECT_EQ((*row)[2], value::int64(1714521600123000)) << "milliseconds become microseconds";
  EXPECT_EQ((*row)[3], value::float64(2.0)) << "an integral JSON number in a double column";
  EXPECT_EQ((*row)[4], value::int32(7)) << "absent: the Avro default";
  EXPECT_EQ((*row)[5], value::boolean(true));
  EXPECT_EQ((*row)[6], value::struct_({value::bytes("DE"), value::float64(52.5)}));
  EXPECT_EQ((*row)[7], value::list({value::bytes("a"), value::bytes("b")}));
  EXPECT_EQ((*row)[8], value::map({{value::bytes("x"), value::int64(1)}, {value::bytes("y"), value::int64(2)}}));
  EXPECT_EQ((*row)[9], value::int32(19844));
}

TEST(row_mapper, absent_and_null_values) {
  row_mapper m{event_columns()};
  auto row = m.map(json_record(R"({"id":1,"ts":0,"score":1.5,"ok":false,"geo":null,"tags":null})"));
  ASSERT_TRUE(row.ok()) << row.err().describe();
  EXPECT_TRUE((*row)[1].is_null());
  EXPECT_TRUE((*row)[6].is_null());
  EXPECT_TRUE((*row)[7].is_null());
  EXPECT_TRUE((*row)[8].is_null());
  auto missing = m.map(json_record(R"({"ts":0,"score":1.5,"ok":false})"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(is(missing.err(), errc::schema_mismatch));
  EXPECT_NE(missing.err().message.find("'id'"), std::string::npos) << missing.err().message;
  auto nested_missing = m.map(json_record(R"({"id":1,"ts":0,"score":1.5,"ok":false,"geo":{"lat":1.0}})"));
  ASSERT_FALSE(nested_missing.ok());
  EXPECT_NE(nested_missing.err().message.find("geo.country"), std::string::npos) << nested_missing.err().message;
}

TEST(row_mapper, values_that_do_not_fit_are_refused_with_the_column_named) {
  row_mapper m{event_columns()};
  for (const char* bad : {R"({"id":"x","ts":0,"score":1,"ok":true})", R"({"id":1.5,"ts":0,"score":1,"ok":true})",
                          R"({"id":1,"ts":0,"score":"high","ok":true})", R"({"id":1,"ts":0,"score":1,"ok":1})",
                          R"({"id":1,"ts":0,"score":1,"ok":true,"n":3000000000})",
                          R"({"id":1,"ts":0,"score":1,"ok":true,"attrs":"{\"x\":\"big\"}"})",
                          R"({"id":1,"ts":0,"score":1,"ok":true,"attrs":"{\"x\":18446744073709551615}"})", R"({"id":1,"ts":0,"score":1,"ok":true,"tags":"[1,"})",
                          R"({"id":1,"ts":0,"score":1,"ok":true,"day":"May 1st"})"}) {
    auto r = m.map(json_record(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(is(r.err(), errc::schema_mismatch)) << r.err().describe();
  }
  // Avro JSON keeps union branches wrapped inside arrays; they unwrap.
  auto wrapped = m.map(json_record(R"({"id":1,"ts":0,"score":1,"ok":true,"tags":[{"string":"a"}]})"));
  ASSERT_TRUE(wrapped.ok()) << wrapped.err().describe();
  EXPECT_EQ((*wrapped)[7], value::list({value::bytes("a")}));
}

/// A random JSON event shaped like `event_columns()`: the required fields (id, ts, score, ok) are
/// mostly there with a fitting value, optional and unknown fields come and go, and now and then a
/// value has the wrong type, a field is null, an object is empty, a string has escapes, a number an
/// exponent, a key is repeated or dotted, or the text goes on after the object. So most events are
/// valid (the fast path's business) and the odd one exercises a fallback or a rejection.
std::string random_event(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  auto scalar = [&]() -> std::string {
    switch (pick(9)) {
      case 0: return "null";
      case 1: return pick(2) ? "true" : "false";
      case 2: return std::to_string(static_cast<int64_t>(rng()) - (1ll << 31));
      case 3: return std::to_string(pick(1000)) + "." + std::to_string(pick(100));
      case 4: return std::to_string(pick(9) + 1) + "e" + std::to_string(pick(5));
      case 5: return "\"caf\\u00e9 \\\"q\\\" \\n\"";
      case 6: return "\"2024-05-0" + std::to_string(1 + pick(9)) + "\"";
      case 7: return "\"s" + std::to_string(pick(50)) + "\"";
      default: return std::to_string(pick(100));
    }
  };
  std::function<std::string(int)> any = [&](int depth) -> std::string {
    int k = pick(depth > 2 ? 6 : 9);
    if (k < 6)
      return scalar();
    if (k == 6)
      return "[" + scalar() + "," + scalar() + "]";
    if (k == 7)
      return "{}";
    return "{\"a\":" + any(depth + 1) + ",\"b\":" + any(depth + 1) + "}";
  };
  // A value that fits the field most of the time (1 in `wrong` gets anything at all).
  auto fitting = [&](const std::string& key, int wrong) -> std::string {
    if (pick(wrong) == 0)
      return any(0);
    if (key == "id" || key == "ts")
      return pick(8) ? std::to_string(pick(1'000'000)) : std::to_string(static_cast<int64_t>(rng()) - (1ll << 31));
    if (key == "score")
      return pick(3) ? std::to_string(pick(1000)) + "." + std::to_string(pick(100))
                     : (pick(2) ? std::to_string(pick(100)) : std::to_string(pick(9) + 1) + "e" + std::to_string(pick(5)));
    if (key == "ok")
      return pick(2) ? "true" : "false";
    if (key == "name")
      return pick(5) ? (pick(3) ? "\"s" + std::to_string(pick(50)) + "\"" : scalar()) : "null";
    if (key == "n")
      return pick(10) ? std::to_string(pick(100)) : "3000000000";
    if (key == "geo")
      return "{\"country\":" + (pick(4) ? std::string{"\"DE\""} : scalar()) + (pick(2) ? ",\"lat\":" + scalar() : "") +
             (pick(4) ? "" : ",\"more\":" + any(2)) + "}";
    if (key == "tags")
      return pick(4) ? "[\"a\",\"b\"]" : "[" + scalar() + "]";
    if (key == "attrs")
      return pick(2) ? "null" : "{\"k\":" + std::to_string(pick(100)) + "}";
    if (key == "day")
      return pick(4) ? "\"2024-05-0" + std::to_string(1 + pick(9)) + "\"" : "null";
    return any(0);
  };
  std::vector<std::pair<std::string, std::string>> fields;
  for (const char* key : {"id", "ts", "score", "ok"})
    if (pick(25))
      fields.emplace_back(key, fitting(key, 12));
  for (const char* key : {"name", "n", "geo", "tags", "attrs", "day"})
    if (pick(2))
      fields.emplace_back(key, fitting(key, 12));
  for (const char* key : {"x", "user", "z.y"})
    if (pick(key[1] == '.' ? 8 : 3) == 0)
      fields.emplace_back(key, any(0));
  std::shuffle(fields.begin(), fields.end(), rng);
  if (!fields.empty() && pick(20) == 0) // a duplicate key
    fields.emplace_back(fields[static_cast<size_t>(pick(static_cast<int>(fields.size())))].first, any(0));
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i)
    out += (i ? ", " : "") + std::string{"\""} + fields[i].first + "\" : " + fields[i].second;
  return out + (pick(20) ? "}" : "} trailing");
}

TEST(json_row_decoder, gives_the_rows_of_the_record_path_or_falls_back) {
  auto cols = event_columns();
  cols.push_back(column("_extra", map_of(primitive(k::string), primitive(k::string))));
  row_mapper mapper{cols};
  json_row_decoder fast{cols, "ts", true};
  std::mt19937 rng{2024};
  int ok = 0, fallbacks = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto text = random_event(rng);
    json_row_decoder::output out;
    auto outcome = fast.decode(text, out);
    if (outcome == json_row_decoder::outcome::fallback) {
      ++fallbacks;
      continue;
    }
    ++ok;
    auto rec = freshet::event::decode_json(text);
    ASSERT_TRUE(rec.ok()) << "the fast path took what is not JSON: " << text;
    auto slow = mapper.map(*rec);
    ASSERT_TRUE(slow.ok()) << "the fast path took an event the record path rejects: " << text << "\n" << slow.err().describe();
    std::vector<std::pair<std::string, std::string>> extras;
    for (const auto& [path, v] : rec->fields()) {
      auto top = path.substr(0, path.find('.'));
      if (!find_column(cols, top) && !freshet::event::is_null(v))
        extras.emplace_back(path, freshet::event::as_text(v));
    }
    (*slow)[cols.size() - 1] = value{}; // _extra is filled by the sink from the extras
    EXPECT_EQ(out.row, *slow) << text;
    EXPECT_EQ(out.extras, extras) << text;
    std::optional<int64_t> ts;
    if (const auto* v = rec->get("ts")) {
      if (const auto* n = std::get_if<int64_t>(v))
        ts = *n;
      else if (const auto* d = std::get_if<double>(v))
        ts = static_cast<int64_t>(*d);
    }
    EXPECT_EQ(out.captured, ts) << text;
  }
  std::printf("fast path: %d events, fallback: %d\n", ok, fallbacks);
  EXPECT_GT(ok, 2000) << "the fast path must take the common shapes";
}

TEST(json_row_decoder, takes_the_common_shape) {
  json_row_decoder fast{event_columns(), "ts", true};
  json_row_decoder::output out;
  ASSERT_EQ(fast.decode(R"({"id":42,"name":"ann","ts":1714521600123,"score":2,"ok":true,
    "geo":{"country":"DE","lat":52.5},"tags":["a","b"],"day":"2024-05-01","user":{"segment":"vip","tier":2}})", out),
            json_row_decoder::outcome::ok);
  EXPECT_EQ(out.row[0], value::int64(42));
  EXPECT_EQ(out.row[2], value::int64(1714521600123000));
  EXPECT_EQ(out.row[4], value::int32(7)) << "the Avro default";
  EXPECT_EQ(out.row[6], value::struct_({value::bytes("DE"), value::float64(52.5)}));
  EXPECT_EQ(out.captured, 1714521600123);
  EXPECT_EQ(out.extras, (std::vector<std::pair<std::string, std::string>>{{"user.segment", "vip"}, {"user.tier", "2"}}));
  EXPECT_EQ(fast.decode(R"({"id":1,"attrs":{"x":1}})", out), json_row_decoder::outcome::fallback) << "maps take the record path";
  EXPECT_EQ(fast.decode(R"({"id":"one","ts":0,"score":1,"ok":true})", out), json_row_decoder::outcome::fallback)
    << "errors take the record path";
}

TEST(data_file, rows_and_statistics_read_back) {
  temp_table_dir dir;
  table_schema cols{column("id", primitive(k::long_), false), column("name", primitive(k::string)),
                    column("ts", primitive(k::timestamp)), column("score", primitive(k::double_)),
                    column("geo", struct_of({column("country", primitive(k::string))})),
                    column("tags", array_of(primitive(k::string))), column("ok", primitive(k::boolean))};
  freshet::parquet::writer_options o;
  o.row_group_max_rows = 300; // several row groups: stats must combine across them
  auto w = data_file_writer::open(dir.str(), {"date"}, {{"date", "2024-05-01"}}, cols, o);
  ASSERT_TRUE(w.ok()) << w.err().describe();
  std::vector<freshet::parquet::row> rows;
  const std::string long_name(40, 'z');
  for (int i = 0; i < 1000; ++i) {
    rows.push_back({value::int64(i - 10), i % 10 == 0 ? value{} : value::bytes(i == 501 ? long_name : "n" + std::to_string(i % 7)),
                    value::int64(1714521600000000 + i * 1000 + 999), value::float64(i * 0.5),
                    i % 4 == 0 ? value{} : value::struct_({value::bytes(i % 2 ? "DE" : "FR")}),
                    value::list({value::bytes("t")}), value::boolean(i % 3 == 0)});
    ASSERT_TRUE((*w)->append(rows.back()).ok());
  }
  EXPECT_GT((*w)->estimated_bytes(), 0u);
  // The writer counts raw bytes as it stages values, across row groups; the oracle walks the rows.
  uint64_t raw = 0;
  for (const auto& r : rows)
    raw += raw_size(r);
  EXPECT_EQ((*w)->raw_bytes(), raw);
  const auto relative = (*w)->relative_path();
  EXPECT_TRUE(relative.starts_with("date=2024-05-01/part-00000-")) << relative;
  EXPECT_TRUE(relative.ends_with("-c000.zstd.parquet")) << relative;
  auto add = (*w)->close();
  ASSERT_TRUE(add.ok()) << add.err().describe();
  EXPECT_EQ(add->path, relative);
  EXPECT_EQ(add->partition, (partition_values{{"date", "2024-05-01"}}));
  EXPECT_EQ(add->size, static_cast<int64_t>(std::filesystem::file_size(dir.str() + "/" + relative)));
  EXPECT_TRUE(add->data_change);

  auto r = freshet::parquet::reader::open_file(dir.str() + "/" + relative);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->num_row_groups(), 1u);
  EXPECT_EQ(*r->read_all(), rows);

  ASSERT_TRUE(add->stats.has_value());
  auto stats = nlohmann::json::parse(*add->stats);
  EXPECT_EQ(stats["numRecords"], 1000);
  EXPECT_EQ(stats["minValues"]["id"], -10);
  EXPECT_EQ(stats["maxValues"]["id"], 989);
  EXPECT_EQ(stats["minValues"]["name"], "n0");
  EXPECT_EQ(stats["maxValues"]["name"], std::string(32, 'z') + "\xF4\x8F\xBF\xBF") << "cut to 32 code points, still an upper bound";
  EXPECT_EQ(stats["minValues"]["ts"], "2024-05-01T00:00:00.000Z");
  EXPECT_EQ(stats["maxValues"]["ts"], "2024-05-01T00:00:00.999Z") << "truncated to milliseconds";
  EXPECT_EQ(stats["minValues"]["score"], 0.0);
  EXPECT_EQ(stats["maxValues"]["score"], 499.5);
  EXPECT_EQ(stats["minValues"]["geo"]["country"], "DE");
  EXPECT_EQ(stats["nullCount"]["name"], 100);
  EXPECT_EQ(stats["nullCount"]["geo"]["country"], 250);
  EXPECT_EQ(stats["nullCount"]["id"], 0);
  EXPECT_EQ(stats["nullCount"]["ok"], 0);
  EXPECT_FALSE(stats["minValues"].contains("ok")) << "no bounds for booleans";
  EXPECT_FALSE(stats["nullCount"].contains("tags")) << "no stats inside lists";
}

TEST(data_file, an_abandoned_file_is_gone_and_partition_values_are_escaped) {
  temp_table_dir dir;
  table_schema cols{column("id", primitive(k::long_))};
  auto w = data_file_writer::open(dir.str(), {"city"}, {{"city", "São Paulo/Centro"}}, cols).value();
  ASSERT_TRUE(w->append({value::int64(1)}).ok());
  const auto path = dir.str() + "/" + w->relative_path();
  EXPECT_TRUE(w->relative_path().starts_with("city=São Paulo%2FCentro/")) << w->relative_path();
  EXPECT_TRUE(std::filesystem::exists(path));
  w->abandon();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(partition_dir({"date"}, {{"date", std::nullopt}}), "date=__HIVE_DEFAULT_PARTITION__");
}

TEST(dates, civil_dates_round_trip) {
  for (int32_t d : {-719162, -1, 0, 1, 19844, 2932896}) {
    auto text = format_date(d);
    EXPECT_EQ(parse_date(text), d) << text;
  }
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(19844), "2024-05-01");
  EXPECT_EQ(utc_day(-1), -1);
  EXPECT_EQ(utc_day(86'400'000), 1);
}

} // namespace
