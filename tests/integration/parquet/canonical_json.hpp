#pragma once
// Rows as canonical JSON lines, the form interop.py compares (see its docstring).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

namespace freshet::parquet::interop {

inline void json_string(const std::string& s, std::string& out) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

inline void json_value(const field& f, const value& v, std::string& out) {
  if (v.is_null()) {
    out += "null";
    return;
  }
  switch (f.kind) {
    case type_kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case type_kind::int32:
    case type_kind::date: out += std::to_string(v.as_int32()); return;
    case type_kind::int64:
    case type_kind::timestamp_us: out += std::to_string(v.as_int64()); return;
    case type_kind::float32:
    case type_kind::float64: {
      const double d = v.as_double();
      if (std::isnan(d)) {
        out += "\"NaN\"";
      } else if (std::isinf(d)) {
        out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      } else {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out += buf;
      }
      return;
    }
    case type_kind::string: json_string(v.as_bytes(), out); return;
    case type_kind::binary: {
      static const char* hex = "0123456789abcdef";
      out.push_back('"');
      for (unsigned char c : v.as_bytes()) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
      }
      out.push_back('"');
      return;
    }
    case type_kind::list: {
      out.push_back('[');
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i)
          out.push_back(',');
        json_value(f.children[0], v.items()[i], out);
      }
      out.push_back(']');
      return;
    }
    case type_kind::map: {
      out.push_back('[');
      for (size_t i = 0; i < v.map_size(); ++i) {
        out += i ? ",[" : "[";
        json_value(f.children[0], v.map_key(i), out);
        out.push_back(',');
        json_value(f.children[1], v.map_value(i), out);
        out.push_back(']');
      }
      out.push_back(']');
      return;
    }
    case type_kind::struct_: {
      out.push_back('{');
      for (size_t i = 0; i < f.children.size(); ++i) {
        if (i)
          out.push_back(',');
        json_string(f.children[i].name, out);
        out.push_back(':');
        json_value(f.children[i], v.items()[i], out);
      }
      out.push_back('}');
      return;
    }
  }
}

inline std::string json_lines(const std::vector<field>& fields, const std::vector<row>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out.push_back('[');
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i)
        out.push_back(',');
      json_value(fields[i], r[i], out);
    }
    out += "]\n";
  }
  return out;
}

} // namespace freshet::parquet::interop
