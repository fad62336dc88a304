// common/parquet: Dremel levels for nested data, by hand and as a shred → assemble property.
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "common/parquet/assembler.hpp"
#include "common/parquet/error.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/shredder.hpp"
#include "random_rows.hpp"

namespace {

using namespace freshet::parquet;

/// (rep, def, value-or-null) per column.
using triple = std::tuple<int, int, value>;

class collect final : public level_sink {
 public:
  explicit collect(size_t columns) : per_column(columns), data(columns) {}
  void add(size_t column, int16_t rep, int16_t def, const value* v) override {
    per_column[column].emplace_back(rep, def, v ? *v : value{});
    data[column].rep.push_back(rep);
    data[column].def.push_back(def);
    if (v)
      data[column].values.push_back(*v);
  }
  std::vector<std::vector<triple>> per_column;
  std::vector<column_data> data;
};

schema make_schema(std::vector<field> fields) {
  auto s = schema::make(std::move(fields));
  EXPECT_TRUE(s.ok()) << s.err().describe();
  return std::move(*s);
}

collect shred_all(const schema& s, const std::vector<row>& rows) {
  collect c{s.columns().size()};
  for (const auto& r : rows) {
    EXPECT_TRUE(validate_row(s, r).ok());
    shred_row(s, r, c);
  }
  return c;
}

TEST(levels, optional_list_of_optional_ints) {
  const auto s = make_schema({list_field("a", make_field("", type_kind::int32))});
  ASSERT_EQ(s.columns().size(), 1u);
  EXPECT_EQ(s.columns()[0].dotted_path(), "a.list.element");
  EXPECT_EQ(s.columns()[0].max_def, 3);
  EXPECT_EQ(s.columns()[0].max_rep, 1);
  const std::vector<row> rows = {
      {value::list({value::int32(1), value{}, value::int32(2)})},
      {value{}},
      {value::list({})},
      {value::list({value{}})},
  };
  const auto c = shred_all(s, rows);
  const std::vector<triple> want = {
      {0, 3, value::int32(1)}, {1, 2, value{}}, {1, 3, value::int32(2)}, {0, 0, value{}}, {0, 1, value{}}, {0, 2, value{}},
  };
  EXPECT_EQ(c.per_column[0], want);
}

TEST(levels, list_of_lists) {
  const auto s = make_schema({list_field("ll", list_field("", make_field("", type_kind::int32)))});
  EXPECT_EQ(s.columns()[0].dotted_path(), "ll.list.element.list.element");
  EXPECT_EQ(s.columns()[0].max_def, 5);
  EXPECT_EQ(s.columns()[0].max_rep, 2);
  const std::vector<row> rows = {{value::list({
      value::list({value::int32(1), value::int32(2)}),
      value::list({}),
      value{},
      value::list({value::int32(3)}),
  })}};
  const auto c = shred_all(s, rows);
  const std::vector<triple> want = {
      {0, 5, value::int32(1)}, {2, 5, value::int32(2)}, {1, 3, value{}}, {1, 2, value{}}, {1, 5, value::int32(3)},
  };
  EXPECT_EQ(c.per_column[0], want);
}

TEST(levels, map_with_nullable_values_and_required_struct_members) {
  const auto s = make_schema({
      map_field("m", make_field("", type_kind::string), make_field("", type_kind::int64), false),
      struct_field("st", {make_field("x", type_kind::int32, false), make_field("y", type_kind::string)}),
  });
  ASSERT_EQ(s.columns().size(), 4u);
  EXPECT_EQ(s.columns()[0].dotted_path(), "m.key_value.key");
  EXPECT_EQ(s.columns()[0].max_def, 1);
  EXPECT_EQ(s.columns()[1].max_def, 2);
  EXPECT_EQ(s.columns()[2].max_def, 1); // st.x: the struct is optional, x is not
  EXPECT_EQ(s.columns()[3].max_def, 2);
  const std::vector<row> rows = {
      {value::map({{value::bytes("a"), value::int64(1)}, {value::bytes("b"), value{}}}),
       value::struct_({value::int32(7), value{}})},
      {value::map({}), value{}},
  };
  const auto c = shred_all(s, rows);
  EXPECT_EQ(c.per_column[0], (std::vector<triple>{{0, 1, value::bytes("a")}, {1, 1, value::bytes("b")}, {0, 0, value{}}}));
  EXPECT_EQ(c.per_column[1], (std::vector<triple>{{0, 2, value::int64(1)}, {1, 1, value{}}, {0, 0, value{}}}));
  EXPECT_EQ(c.per_column[2], (std::vector<triple>{{0, 1, value::int32(7)}, {0, 0, value{}}}));
  EXPECT_EQ(c.per_column[3], (std::vector<triple>{{0, 1, value{}}, {0, 0, value{}}}));
}

TEST(levels, shred_then_assemble_is_the_identity_on_random_rows) {
  const auto fields = test_rows::every_type_fields();
  const auto s = make_schema(fields);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto rows = test_rows::random_rows(fields, 200, seed);
    auto c = shred_all(s, rows);
    std::vector<size_t> all;
    for (size_t i = 0; i < s.nodes().size(); ++i)
      all.push_back(i);
    auto back = assemble_rows(s, all, c.data, static_cast<int64_t>(rows.size()));
    ASSERT_TRUE(back.ok()) << back.err().describe();
    ASSERT_EQ(back->size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i)
      for (size_t f = 0; f < fields.size(); ++f)
        ASSERT_EQ((*back)[i][f], rows[i][f]) << "seed " << seed << " row " << i << " field " << fields[f].name << ": "
                                             << (*back)[i][f].to_string() << " vs " << rows[i][f].to_string();
  }
}

TEST(levels, assembly_rejects_inconsistent_levels) {
  const auto s = make_schema({list_field("a", make_field("", type_kind::int32))});
  std::vector<column_data> cols(1);
  // A row that starts with a repetition level of 1.
  cols[0].rep = {1};
  cols[0].def = {3};
  cols[0].values = {value::int32(1)};
  EXPECT_FALSE(assemble_rows(s, {0}, cols, 1).ok());
  // A definition level that promises a value that is not there.
  cols[0].rep = {0};
  cols[0].def = {3};
  cols[0].values = {};
  EXPECT_FALSE(assemble_rows(s, {0}, cols, 1).ok());
  // A row count other than the row group's.
  cols[0].rep = {0, 0};
  cols[0].def = {0, 0};
  EXPECT_FALSE(assemble_rows(s, {0}, cols, 1).ok());
}

TEST(levels, validation_names_the_field_that_does_not_fit) {
  const auto s = make_schema(test_rows::every_type_fields());
  auto good = test_rows::random_rows(test_rows::every_type_fields(), 1, 3)[0];
  ASSERT_TRUE(validate_row(s, good).ok());
  auto r = good;
  r[2] = value{}; // i64 is not nullable
  auto st = validate_row(s, r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("i64"), std::string::npos) << st.err().message;
  EXPECT_EQ(st.err().code, static_cast<int>(errc::schema_mismatch));
  r = good;
  r[1] = value::int64(1); // int32 field
  EXPECT_FALSE(validate_row(s, r).ok());
  r = good;
  r[12] = value::struct_({value::int32(1)}); // wrong arity
  EXPECT_FALSE(validate_row(s, r).ok());
  r = good;
  r[11] = value::map({{value{}, value::bytes("v")}}); // null key
  st = validate_row(s, r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.err().message.find("m"), std::string::npos);
  r = good;
  r.pop_back();
  EXPECT_FALSE(validate_row(s, r).ok());
}

TEST(schema, rejects_malformed_field_trees) {
  EXPECT_FALSE(schema::make({make_field("", type_kind::int32)}).ok());
  EXPECT_FALSE(schema::make({struct_field("s", {})}).ok());
  EXPECT_FALSE(schema::make({field{"l", type_kind::list, true, {}}}).ok());
  field bad_map{"m", type_kind::map, true, {make_field("key", type_kind::string, true), make_field("value", type_kind::string)}};
  EXPECT_FALSE(schema::make({bad_map}).ok());
}

TEST(schema, elements_round_trip_through_the_reader_interpretation) {
  const auto s = make_schema(test_rows::every_type_fields());
  auto back = schema::from_elements(s.to_elements());
  ASSERT_TRUE(back.ok()) << back.err().describe();
  ASSERT_EQ(back->columns().size(), s.columns().size());
  for (size_t i = 0; i < s.columns().size(); ++i) {
    EXPECT_EQ(back->columns()[i].path, s.columns()[i].path);
    EXPECT_EQ(back->columns()[i].max_def, s.columns()[i].max_def);
    EXPECT_EQ(back->columns()[i].max_rep, s.columns()[i].max_rep);
    EXPECT_EQ(back->columns()[i].kind, s.columns()[i].kind);
  }
}

TEST(schema, legacy_two_level_lists_are_read) {
  // message m { optional group a (LIST) { repeated int32 array; } repeated int64 bare; }
  std::vector<schema_element> e(5);
  e[0].name = "m";
  e[0].num_children = 2;
  e[1].name = "a";
  e[1].repetition_type = repetition::optional;
  e[1].converted = converted_type::list;
  e[1].num_children = 1;
  e[2].name = "array";
  e[2].repetition_type = repetition::repeated;
  e[2].type = physical_type::int32;
  e[3].name = "bare";
  e[3].repetition_type = repetition::repeated;
  e[3].type = physical_type::int64;
  e.pop_back();
  auto s = schema::from_elements(e);
  ASSERT_TRUE(s.ok()) << s.err().describe();
  ASSERT_EQ(s->nodes().size(), 2u);
  EXPECT_EQ(s->nodes()[0].kind, type_kind::list);
  EXPECT_EQ(s->columns()[0].max_def, 2);
  EXPECT_EQ(s->columns()[0].max_rep, 1);
  EXPECT_EQ(s->nodes()[1].kind, type_kind::list);
  EXPECT_FALSE(s->nodes()[1].nullable);
  EXPECT_EQ(s->columns()[1].max_def, 1);
  EXPECT_EQ(s->columns()[1].path, std::vector<std::string>{"bare"});
}

TEST(schema, malformed_element_lists_are_errors) {
  std::vector<schema_element> e(2);
  e[0].name = "m";
  e[0].num_children = 5; // more children than elements
  e[1].name = "x";
  e[1].type = physical_type::int32;
  EXPECT_FALSE(schema::from_elements(e).ok());
  e[0].num_children = 1;
  e[1].type.reset(); // a leaf without a type
  EXPECT_FALSE(schema::from_elements(e).ok());
  EXPECT_FALSE(schema::from_elements({}).ok());
  // A nested group whose children run past the end (found by the fuzzer).
  std::vector<schema_element> g(3);
  g[0].name = "m";
  g[0].num_children = 1;
  g[1].name = "grp";
  g[1].num_children = 2;
  g[2].name = "leaf";
  g[2].type = physical_type::int32;
  EXPECT_FALSE(schema::from_elements(g).ok());
}

} // namespace
