// Field ids are parquet-format's (src/main/thrift/parquet.thrift).
#include "common/parquet/metadata.hpp"
#include "common/parquet/thrift_compact.hpp"

namespace freshet::parquet {
namespace {

using thrift::compact_writer;
using thrift::ttype;

int32_t raw(auto e) { return static_cast<int32_t>(e); }

void write_statistics(compact_writer& w, const statistics& s) {
  if (s.max)
    w.field_binary(1, *s.max);
  if (s.min)
    w.field_binary(2, *s.min);
  if (s.null_count)
    w.field_i64(3, *s.null_count);
  if (s.distinct_count)
    w.field_i64(4, *s.distinct_count);
  if (s.max_value)
    w.field_binary(5, *s.max_value);
  if (s.min_value)
    w.field_binary(6, *s.min_value);
  if (s.is_max_value_exact)
    w.field_bool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact)
    w.field_bool(8, *s.is_min_value_exact);
  if (s.nan_count)
    w.field_i64(9, *s.nan_count);
}

void write_time_unit(compact_writer& w, int16_t id, time_unit u) {
  w.field_struct_begin(id);
  w.field_struct_begin(u == time_unit::millis ? 1 : u == time_unit::micros ? 2 : 3);
  w.end_struct();
  w.end_struct();
}

void write_logical_type(compact_writer& w, const logical_type& t) {
  using k = logical_type::kind;
  auto empty_member = [&](int16_t id) {
    w.field_struct_begin(id);
    w.end_struct();
  };
  switch (t.k) {
    case k::string: empty_member(1); break;
    case k::map: empty_member(2); break;
    case k::list: empty_member(3); break;
    case k::enum_: empty_member(4); break;
    case k::decimal:
      w.field_struct_begin(5);
      w.field_i32(1, t.scale);
      w.field_i32(2, t.precision);
      w.end_struct();
      break;
    case k::date: empty_member(6); break;
    case k::time:
    case k::timestamp:
      w.field_struct_begin(t.k == k::time ? 7 : 8);
      w.field_bool(1, t.is_adjusted_to_utc);
      write_time_unit(w, 2, t.unit);
      w.end_struct();
      break;
    case k::integer:
      w.field_struct_begin(10);
      w.field_i8(1, t.bit_width);
      w.field_bool(2, t.is_signed);
      w.end_struct();
      break;
    case k::unknown: empty_member(11); break;
    case k::json: empty_member(12); break;
    case k::bson: empty_member(13); break;
    case k::uuid: empty_member(14); break;
    case k::float16: empty_member(15); break;
    case k::other: break;
  }
}

void write_schema_element(compact_writer& w, const schema_element& e) {
  w.struct_begin();
  if (e.type)
    w.field_i32(1, raw(*e.type));
  if (e.type_length)
    w.field_i32(2, *e.type_length);
  if (e.repetition_type)
    w.field_i32(3, raw(*e.repetition_type));
  w.field_binary(4, e.name);
  if (e.num_children)
    w.field_i32(5, *e.num_children);
  if (e.converted)
    w.field_i32(6, raw(*e.converted));
  if (e.scale)
    w.field_i32(7, *e.scale);
  if (e.precision)
    w.field_i32(8, *e.precision);
  if (e.field_id)
    w.field_i32(9, *e.field_id);
  if (e.logical && e.logical->k != logical_type::kind::other) {
    w.field_struct_begin(10);
    write_logical_type(w, *e.logical);
    w.end_struct();
  }
  w.end_struct();
}

void write_key_values(compact_writer& w, int16_t id, const std::vector<key_value>& kvs) {
  w.field_list_begin(id, ttype::struct_, kvs.size());
  for (const auto& kv : kvs) {
    w.struct_begin();
    w.field_binary(1, kv.key);
    if (kv.value)
      w.field_binary(2, *kv.value);
    w.end_struct();
  }
}

void write_column_meta_data(compact_writer& w, const column_meta_data& m) {
  w.field_i32(1, raw(m.type));
  w.field_list_begin(2, ttype::i32, m.encodings.size());
  for (auto e : m.encodings)
    w.elem_i32(raw(e));
  w.field_list_begin(3, ttype::binary, m.path_in_schema.size());
  for (const auto& p : m.path_in_schema)
    w.elem_binary(p);
  w.field_i32(4, raw(m.codec));
  w.field_i64(5, m.num_values);
  w.field_i64(6, m.total_uncompressed_size);
  w.field_i64(7, m.total_compressed_size);
  if (!m.key_value_metadata.empty())
    write_key_values(w, 8, m.key_value_metadata);
  w.field_i64(9, m.data_page_offset);
  if (m.index_page_offset)
    w.field_i64(10, *m.index_page_offset);
  if (m.dictionary_page_offset)
    w.field_i64(11, *m.dictionary_page_offset);
  if (m.stats) {
    w.field_struct_begin(12);
    write_statistics(w, *m.stats);
    w.end_struct();
  }
  if (!m.encoding_stats.empty()) {
    w.field_list_begin(13, ttype::struct_, m.encoding_stats.size());
    for (const auto& s : m.encoding_stats) {
      w.struct_begin();
      w.field_i32(1, raw(s.type));
      w.field_i32(2, raw(s.page_encoding));
      w.field_i32(3, s.count);
      w.end_struct();
    }
  }
}

void write_row_group(compact_writer& w, const row_group& rg) {
  w.struct_begin();
  w.field_list_begin(1, ttype::struct_, rg.columns.size());
  for (const auto& c : rg.columns) {
    w.struct_begin();
    if (c.file_path)
      w.field_binary(1, *c.file_path);
    w.field_i64(2, c.file_offset);
    if (c.meta_data) {
      w.field_struct_begin(3);
      write_column_meta_data(w, *c.meta_data);
      w.end_struct();
    }
    w.end_struct();
  }
  w.field_i64(2, rg.total_byte_size);
  w.field_i64(3, rg.num_rows);
  if (rg.file_offset)
    w.field_i64(5, *rg.file_offset);
  if (rg.total_compressed_size)
    w.field_i64(6, *rg.total_compressed_size);
  if (rg.ordinal)
    w.field_i16(7, *rg.ordinal);
  w.end_struct();
}

} // namespace

void serialize(const file_meta_data& m, std::string& out) {
  compact_writer w{out};
  w.struct_begin();
  w.field_i32(1, m.version);
  w.field_list_begin(2, ttype::struct_, m.schema.size());
  for (const auto& e : m.schema)
    write_schema_element(w, e);
  w.field_i64(3, m.num_rows);
  w.field_list_begin(4, ttype::struct_, m.row_groups.size());
  for (const auto& rg : m.row_groups)
    write_row_group(w, rg);
  if (!m.key_value_metadata.empty())
    write_key_values(w, 5, m.key_value_metadata);
  if (m.created_by)
    w.field_binary(6, *m.created_by);
  if (m.column_orders) {
    w.field_list_begin(7, ttype::struct_, m.column_orders->size());
    for (auto o : *m.column_orders) {
      w.struct_begin(); // the ColumnOrder union
      if (o != column_order::unknown) {
        w.field_struct_begin(o == column_order::type_defined ? 1 : o == column_order::ieee754_total ? 2 : 3);
        w.end_struct();
      }
      w.end_struct();
    }
  }
  w.end_struct();
}

void serialize(const page_header& h, std::string& out) {
  compact_writer w{out};
  w.struct_begin();
  w.field_i32(1, raw(h.type));
  w.field_i32(2, h.uncompressed_page_size);
  w.field_i32(3, h.compressed_page_size);
  if (h.crc)
    w.field_i32(4, *h.crc);
  if (h.data) {
    const auto& d = *h.data;
    w.field_struct_begin(5);
    w.field_i32(1, d.num_values);
    w.field_i32(2, raw(d.value_encoding));
    w.field_i32(3, raw(d.definition_level_encoding));
    w.field_i32(4, raw(d.repetition_level_encoding));
    if (d.stats) {
      w.field_struct_begin(5);
      write_statistics(w, *d.stats);
      w.end_struct();
    }
    w.end_struct();
  }
  if (h.dictionary) {
    const auto& d = *h.dictionary;
    w.field_struct_begin(7);
    w.field_i32(1, d.num_values);
    w.field_i32(2, raw(d.value_encoding));
    if (d.is_sorted)
      w.field_bool(3, *d.is_sorted);
    w.end_struct();
  }
  if (h.data_v2) {
    const auto& d = *h.data_v2;
    w.field_struct_begin(8);
    w.field_i32(1, d.num_values);
    w.field_i32(2, d.num_nulls);
    w.field_i32(3, d.num_rows);
    w.field_i32(4, raw(d.value_encoding));
    w.field_i32(5, d.definition_levels_byte_length);
    w.field_i32(6, d.repetition_levels_byte_length);
    w.field_bool(7, d.is_compressed);
    if (d.stats) {
      w.field_struct_begin(8);
      write_statistics(w, *d.stats);
      w.end_struct();
    }
    w.end_struct();
  }
  w.end_struct();
}

} // namespace freshet::parquet
