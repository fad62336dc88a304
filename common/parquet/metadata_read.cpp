// Decoding of the footer and page headers from untrusted bytes. Field ids are parquet-format's.
#include <limits>
#include <type_traits>

#include "common/parquet/error.hpp"
#include "common/parquet/metadata.hpp"
#include "common/parquet/thrift_compact.hpp"

namespace freshet::parquet {
namespace {

using thrift::compact_reader;
using thrift::field_header;
using thrift::ttype;

/// Calls `on_field(header)` for each field of a struct; fields it does not take (returns false) are skipped.
template <class F>
void read_struct(compact_reader& r, F&& on_field) {
  r.struct_begin();
  for (field_header h = r.next_field(); h.type != ttype::stop; h = r.next_field()) {
    if (!on_field(h))
      r.skip(h.type);
  }
  r.struct_end();
}

bool is_int(ttype t) { return t == ttype::byte || t == ttype::i16 || t == ttype::i32 || t == ttype::i64; }

int64_t read_int(compact_reader& r, ttype t) { return t == ttype::byte ? r.read_i8() : r.read_i64(); }

template <class T>
bool get(compact_reader& r, const field_header& h, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (h.type != ttype::bool_true && h.type != ttype::bool_false)
      return false;
    out = r.field_bool(h);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (h.type != ttype::binary)
      return false;
    out = r.read_binary();
  } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
    if (!is_int(h.type))
      return false;
    const int64_t v = read_int(r, h.type);
    using U = typename std::conditional_t<std::is_enum_v<T>, std::underlying_type<T>, std::type_identity<T>>::type;
    if (v < std::numeric_limits<U>::min() || v > std::numeric_limits<U>::max()) {
      r.fail("thrift: integer out of range for its field");
      return true;
    }
    out = static_cast<T>(static_cast<U>(v));
  } else {
    static_assert(sizeof(T) == 0, "unsupported field type");
  }
  return true;
}

template <class T>
bool get(compact_reader& r, const field_header& h, std::optional<T>& out) {
  T v{};
  if (!get(r, h, v))
    return false;
  out = std::move(v);
  return true;
}

/// Reads a list field whose elements have type `elem`, calling `each()` per element.
template <class F>
bool get_list(compact_reader& r, const field_header& h, ttype elem, F&& each) {
  if (h.type != ttype::list)
    return false;
  const auto lh = r.read_list();
  const bool match = lh.elem == elem || (is_int(lh.elem) && is_int(elem));
  for (uint32_t i = 0; i < lh.size && !r.failed(); ++i) {
    if (match)
      each(lh.elem);
    else
      r.skip(lh.elem, false);
  }
  return true;
}

statistics read_statistics(compact_reader& r) {
  statistics s;
  read_struct(r, [&](const field_header& h) {
    switch (h.id) {
      case 1: return get(r, h, s.max);
      case 2: return get(r, h, s.min);
      case 3: return get(r, h, s.null_count);
      case 4: return get(r, h, s.distinct_count);
      case 5: return get(r, h, s.max_value);
      case 6: return get(r, h, s.min_value);
      case 7: return get(r, h, s.is_max_value_exact);
      case 8: return get(r, h, s.is_min_value_exact);
      case 9: return get(r, h, s.nan_count);
      default: return false;
    }
  });
  return s;
}

/// Reads a union whose members are all empty structs; returns the id of the member that was set.
int16_t read_empty_union(compact_reader& r) {
  int16_t id = 0;
  read_struct(r, [&](const field_header& h) {
    if (h.type != ttype::struct_)
      return false;
    id = h.id;
    r.skip(h.type);
    return true;
  });
  return id;
}

logical_type read_logical_type(compact_reader& r) {
  using k = logical_type::kind;
  logical_type t;
  read_struct(r, [&](const field_header& h) {
    if (h.type != ttype::struct_)
      return false;
    switch (h.id) {
      case 1: t.k = k::string; return false;
      case 2: t.k = k::map; return false;
      case 3: t.k = k::list; return false;
      case 4: t.k = k::enum_; return false;
      case 5:
        t.k = k::decimal;
        read_struct(r, [&](const field_header& f) {
          return f.id == 1 ? get(r, f, t.scale) : f.id == 2 ? get(r, f, t.precision) : false;
        });
        return true;
      case 6: t.k = k::date; return false;
      case 7:
      case 8:
        t.k = h.id == 7 ? k::time : k::timestamp;
        read_struct(r, [&](const field_header& f) {
          if (f.id == 1)
            return get(r, f, t.is_adjusted_to_utc);
          if (f.id == 2 && f.type == ttype::struct_) {
            const int16_t u = read_empty_union(r);
            t.unit = u == 1 ? time_unit::millis : u == 3 ? time_unit::nanos : time_unit::micros;
            return true;
          }
          return false;
        });
        return true;
      case 10:
        t.k = k::integer;
        read_struct(r, [&](const field_header& f) {
          return f.id == 1 ? get(r, f, t.bit_width) : f.id == 2 ? get(r, f, t.is_signed) : false;
        });
        return true;
      case 11: t.k = k::unknown; return false;
      case 12: t.k = k::json; return false;
      case 13: t.k = k::bson; return false;
      case 14: t.k = k::uuid; return false;
      case 15: t.k = k::float16; return false;
      default: t.k = k::other; return false;
    }
  });
  return t;
}

schema_element read_schema_element(compact_reader& r) {
  schema_element e;
  bool has_name = false;
  read_struct(r, [&](const field_header& h) {
    switch (h.id) {
      case 1: return get(r, h, e.type);
      case 2: return get(r, h, e.type_length);
      case 3: return get(r, h, e.repetition_type);
      case 4: return has_name = get(r, h, e.name);
      case 5: return get(r, h, e.num_children);
      case 6: return get(r, h, e.converted);
      case 7: return get(r, h, e.scale);
      case 8: return get(r, h, e.precision);
      case 9: return get(r, h, e.field_id);
      case 10:
        if (h.type != ttype::struct_)
          return false;
        e.logical = read_logical_type(r);
        return true;
      default: return false;
    }
  });
  if (!has_name)
    r.fail("schema element without a name");
  return e;
}

std::vector<key_value> read_key_values(compact_reader& r, const field_header& h, bool& taken) {
  std::vector<key_value> kvs;
  taken = get_list(r, h, ttype::struct_, [&](ttype) {
    key_value kv;
    read_struct(r, [&](const field_header& f) {
      return f.id == 1 ? get(r, f, kv.key) : f.id == 2 ? get(r, f, kv.value) : false;
    });
    kvs.push_back(std::move(kv));
  });
  return kvs;
}

column_meta_data read_column_meta_data(compact_reader& r) {
  column_meta_data m;
  unsigned seen = 0;
  read_struct(r, [&](const field_header& h) {
    bool taken = false;
    switch (h.id) {
      case 1: taken = get(r, h, m.type); break;
      case 2:
        taken = get_list(r, h, ttype::i32, [&](ttype t) {
          const auto v = read_int(r, t);
          m.encodings.push_back(static_cast<encoding>(static_cast<int32_t>(v)));
        });
        break;
      case 3: taken = get_list(r, h, ttype::binary, [&](ttype) { m.path_in_schema.push_back(r.read_binary()); }); break;
      case 4: taken = get(r, h, m.codec); break;
      case 5: taken = get(r, h, m.num_values); break;
      case 6: taken = get(r, h, m.total_uncompressed_size); break;
      case 7: taken = get(r, h, m.total_compressed_size); break;
      case 8: m.key_value_metadata = read_key_values(r, h, taken); break;
      case 9: taken = get(r, h, m.data_page_offset); break;
      case 10: taken = get(r, h, m.index_page_offset); break;
      case 11: taken = get(r, h, m.dictionary_page_offset); break;
      case 12:
        if ((taken = h.type == ttype::struct_))
          m.stats = read_statistics(r);
        break;
      case 13:
        taken = get_list(r, h, ttype::struct_, [&](ttype) {
          page_encoding_stats s;
          read_struct(r, [&](const field_header& f) {
            return f.id == 1 ? get(r, f, s.type) : f.id == 2 ? get(r, f, s.page_encoding) : f.id == 3 ? get(r, f, s.count) : false;
          });
          m.encoding_stats.push_back(s);
        });
        break;
      default: break;
    }
    if (taken && h.id < 32)
      seen |= 1u << h.id;
    return taken;
  });
  constexpr unsigned required = (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 7) | (1u << 9);
  if ((seen & required) != required)
    r.fail("column metadata misses a required field");
  return m;
}

row_group read_row_group(compact_reader& r) {
  row_group rg;
  bool has_columns = false;
  read_struct(r, [&](const field_header& h) {
    switch (h.id) {
      case 1:
        return has_columns = get_list(r, h, ttype::struct_, [&](ttype) {
          column_chunk c;
          read_struct(r, [&](const field_header& f) {
            switch (f.id) {
              case 1: return get(r, f, c.file_path);
              case 2: return get(r, f, c.file_offset);
              case 3:
                if (f.type != ttype::struct_)
                  return false;
                c.meta_data = read_column_meta_data(r);
                return true;
              default: return false;
            }
          });
          rg.columns.push_back(std::move(c));
        });
      case 2: return get(r, h, rg.total_byte_size);
      case 3: return get(r, h, rg.num_rows);
      case 5: return get(r, h, rg.file_offset);
      case 6: return get(r, h, rg.total_compressed_size);
      case 7: return get(r, h, rg.ordinal);
      default: return false;
    }
  });
  if (!has_columns)
    r.fail("row group without columns");
  return rg;
}

} // namespace

result<file_meta_data> parse_file_meta_data(std::string_view bytes, int max_depth) {
  compact_reader r{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), max_depth};
  file_meta_data m;
  unsigned seen = 0;
  read_struct(r, [&](const field_header& h) {
    bool taken = false;
    switch (h.id) {
      case 1: taken = get(r, h, m.version); break;
      case 2: taken = get_list(r, h, ttype::struct_, [&](ttype) { m.schema.push_back(read_schema_element(r)); }); break;
      case 3: taken = get(r, h, m.num_rows); break;
      case 4: taken = get_list(r, h, ttype::struct_, [&](ttype) { m.row_groups.push_back(read_row_group(r)); }); break;
      case 5: m.key_value_metadata = read_key_values(r, h, taken); break;
      case 6: taken = get(r, h, m.created_by); break;
      case 7:
        m.column_orders.emplace();
        taken = get_list(r, h, ttype::struct_, [&](ttype) {
          const int16_t id = read_empty_union(r);
          m.column_orders->push_back(id == 1   ? column_order::type_defined
                                     : id == 2 ? column_order::ieee754_total
                                     : id == 3 ? column_order::int96_timestamp
                                               : column_order::unknown);
        });
        break;
      default: break;
    }
    if (taken && h.id < 32)
      seen |= 1u << h.id;
    return taken;
  });
  if (r.failed())
    return make_parquet_error(errc::malformed, "footer: " + r.failure());
  constexpr unsigned required = (1u << 2) | (1u << 3) | (1u << 4);
  if ((seen & required) != required)
    return make_parquet_error(errc::malformed, "footer misses schema, num_rows or row_groups");
  return m;
}

result<parsed_page_header> parse_page_header(std::string_view bytes) {
  compact_reader r{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 8};
  page_header p;
  unsigned seen = 0;
  read_struct(r, [&](const field_header& h) {
    bool taken = false;
    switch (h.id) {
      case 1: taken = get(r, h, p.type); break;
      case 2: taken = get(r, h, p.uncompressed_page_size); break;
      case 3: taken = get(r, h, p.compressed_page_size); break;
      case 4: taken = get(r, h, p.crc); break;
      case 5:
        if ((taken = h.type == ttype::struct_)) {
          data_page_header d;
          read_struct(r, [&](const field_header& f) {
            switch (f.id) {
              case 1: return get(r, f, d.num_values);
              case 2: return get(r, f, d.value_encoding);
              case 3: return get(r, f, d.definition_level_encoding);
              case 4: return get(r, f, d.repetition_level_encoding);
              case 5:
                if (f.type != ttype::struct_)
                  return false;
                d.stats = read_statistics(r);
                return true;
              default: return false;
            }
          });
          p.data = std::move(d);
        }
        break;
      case 7:
        if ((taken = h.type == ttype::struct_)) {
          dictionary_page_header d;
          read_struct(r, [&](const field_header& f) {
            switch (f.id) {
              case 1: return get(r, f, d.num_values);
              case 2: return get(r, f, d.value_encoding);
              case 3: return get(r, f, d.is_sorted);
              default: return false;
            }
          });
          p.dictionary = d;
        }
        break;
      case 8:
        if ((taken = h.type == ttype::struct_)) {
          data_page_header_v2 d;
          read_struct(r, [&](const field_header& f) {
            switch (f.id) {
              case 1: return get(r, f, d.num_values);
              case 2: return get(r, f, d.num_nulls);
              case 3: return get(r, f, d.num_rows);
              case 4: return get(r, f, d.value_encoding);
              case 5: return get(r, f, d.definition_levels_byte_length);
              case 6: return get(r, f, d.repetition_levels_byte_length);
              case 7: return get(r, f, d.is_compressed);
              case 8:
                if (f.type != ttype::struct_)
                  return false;
                d.stats = read_statistics(r);
                return true;
              default: return false;
            }
          });
          p.data_v2 = std::move(d);
        }
        break;
      default: break;
    }
    if (taken && h.id < 32)
      seen |= 1u << h.id;
    return taken;
  });
  if (r.failed())
    return make_parquet_error(errc::malformed, "page header: " + r.failure());
  constexpr unsigned required = (1u << 1) | (1u << 2) | (1u << 3);
  if ((seen & required) != required)
    return make_parquet_error(errc::malformed, "page header misses type or sizes");
  parsed_page_header out;
  out.header = std::move(p);
  out.header_size = static_cast<size_t>(r.position() - reinterpret_cast<const uint8_t*>(bytes.data()));
  return out;
}

} // namespace freshet::parquet
