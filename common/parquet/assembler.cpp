#include "common/parquet/assembler.hpp"

#include "common/parquet/error.hpp"

namespace freshet::parquet {
namespace {

struct cursor {
  column_data* data = nullptr;
  size_t pos = 0;  // next level entry
  size_t vpos = 0; // next value
  [[nodiscard]] bool at_end() const { return pos >= data->def.size(); }
};

class assembler {
 public:
  assembler(std::vector<column_data>& columns) {
    cursors_.resize(columns.size());
    for (size_t i = 0; i < columns.size(); ++i)
      cursors_[i].data = &columns[i];
  }

  result<std::vector<row>> run(const schema& s, const std::vector<size_t>& fields, int64_t expected_rows) {
    std::vector<row> rows;
    if (fields.empty())
      return rows;
    const auto& nodes = s.nodes();
    const cursor& lead = cursors_[nodes[fields[0]].first_column];
    rows.reserve(static_cast<size_t>(std::max<int64_t>(0, std::min<int64_t>(expected_rows, static_cast<int64_t>(lead.data->def.size())))));
    while (!lead.at_end()) {
      // Every column of the projection must start this row together.
      for (size_t f : fields)
        for (size_t c = nodes[f].first_column; c < nodes[f].first_column + nodes[f].column_count; ++c) {
          const cursor& k = cursors_[c];
          if (k.at_end() || k.data->rep[k.pos] != 0)
            return bad("columns disagree on where a row starts");
        }
      row r;
      r.reserve(fields.size());
      for (size_t f : fields) {
        r.push_back(assemble(nodes[f]));
        if (failed_)
          return bad(why_);
      }
      rows.push_back(std::move(r));
    }
    for (size_t f : fields)
      for (size_t c = nodes[f].first_column; c < nodes[f].first_column + nodes[f].column_count; ++c) {
        const cursor& k = cursors_[c];
        if (!k.at_end() || k.vpos != k.data->values.size())
          return bad("a column has entries or values left over");
      }
    if (static_cast<int64_t>(rows.size()) != expected_rows)
      return bad("row group says " + std::to_string(expected_rows) + " rows, columns hold " + std::to_string(rows.size()));
    return rows;
  }

 private:
  static error bad(const std::string& why) { return make_parquet_error(errc::malformed, "assembly: " + why); }

  value fail(const char* why) {
    if (!failed_) {
      failed_ = true;
      why_ = why;
    }
    return {};
  }

  /// Consumes one entry from every column under `n` (a null or an empty list/map there).
  bool skip_one(const schema_node& n) {
    for (size_t c = n.first_column; c < n.first_column + n.column_count; ++c) {
      cursor& k = cursors_[c];
      if (k.at_end())
        return false;
      ++k.pos;
    }
    return true;
  }

  value assemble(const schema_node& n) {
    if (failed_)
      return {};
    cursor& lead = cursors_[n.first_column];
    if (lead.at_end())
      return fail("a column ends inside a row");
    const int16_t def = lead.data->def[lead.pos];
    if (def < n.def_level) {
      if (!n.nullable)
        return fail("definition level too low for a required field");
      if (!skip_one(n))
        return fail("a column ends inside a row");
      return {};
    }
    switch (n.kind) {
      case type_kind::struct_: {
        std::vector<value> members;
        members.reserve(n.children.size());
        for (const auto& c : n.children)
          members.push_back(assemble(c));
        return value::struct_(std::move(members));
      }
      case type_kind::list:
      case type_kind::map: {
        const bool is_map = n.kind == type_kind::map;
        std::vector<value> items;
        if (def < n.item_def) {
          if (!skip_one(n))
            return fail("a column ends inside a row");
          return is_map ? value::map_interleaved({}) : value::list({});
        }
        while (!failed_) {
          for (const auto& c : n.children)
            items.push_back(assemble(c));
          // The next entry continues this list only when it repeats at this list's level.
          if (lead.at_end() || lead.data->rep[lead.pos] != n.item_rep)
            break;
        }
        return is_map ? value::map_interleaved(std::move(items)) : value::list(std::move(items));
      }
      default: {
        ++lead.pos;
        if (lead.vpos >= lead.data->values.size())
          return fail("fewer values than definition levels promise");
        return std::move(lead.data->values[lead.vpos++]);
      }
    }
  }

  std::vector<cursor> cursors_;
  bool failed_ = false;
  std::string why_;
};

} // namespace

result<std::vector<row>> assemble_rows(const schema& s, const std::vector<size_t>& fields, std::vector<column_data>& columns,
                                       int64_t expected_rows) {
  if (columns.size() != s.columns().size())
    return make_parquet_error(errc::malformed, "assembly: column count differs from the schema");
  for (size_t f : fields)
    if (f >= s.nodes().size())
      return make_parquet_error(errc::invalid_argument, "assembly: no such field");
  return assembler{columns}.run(s, fields, expected_rows);
}

} // namespace freshet::parquet
