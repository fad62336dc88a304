#include <cmath>
#include <limits>

#include "common/avro/detail/binary.hpp"
#include "common/avro/detail/schema_store.hpp"

namespace freshet::avro::detail {

namespace {

using json = nlohmann::json;

bool fail(std::string& why, std::string msg) {
  why = std::move(msg);
  return false;
}

// Avro JSON carries bytes as a string of code points 0..255, one per byte.
bool latin1_bytes(const std::string& utf8, std::string& bytes) {
  bytes.clear();
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      bytes.push_back(static_cast<char>(c));
    } else if ((c & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
      unsigned cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3fu);
      if (cp > 0xff)
        return false;
      bytes.push_back(static_cast<char>(cp));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

} // namespace

bool encode_default_at(const node& n, const nlohmann::json& v, std::string& out, std::string& why, int depth);

bool encode_default(const node& n, const json& v, std::string& out, std::string& why) {
  return encode_default_at(n, v, out, why, 0);
}

bool encode_default_at(const node& n, const nlohmann::json& v, std::string& out, std::string& why, int depth) {
  if (depth > 64)
    return fail(why, "default nested too deeply");
  switch (n.kind) {
    case type::null:
      if (!v.is_null())
        return fail(why, "expected null, got " + v.dump());
      return true;
    case type::boolean:
      if (!v.is_boolean())
        return fail(why, "expected a boolean, got " + v.dump());
      out.push_back(v.get<bool>() ? 1 : 0);
      return true;
    case type::int_:
    case type::long_: {
      if (!v.is_number_integer())
        return fail(why, std::string{"expected an integer for "} + to_string(n.kind) + ", got " + v.dump());
      int64_t x = 0;
      if (v.is_number_unsigned()) {
        auto u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          return fail(why, "integer out of range: " + v.dump());
        x = static_cast<int64_t>(u);
      } else {
        x = v.get<int64_t>();
      }
      if (n.kind == type::int_ && (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()))
        return fail(why, "integer out of int range: " + v.dump());
      write_long(out, x);
      return true;
    }
    case type::float_:
    case type::double_: {
      if (!v.is_number())
        return fail(why, std::string{"expected a number for "} + to_string(n.kind) + ", got " + v.dump());
      double d = v.get<double>();
      if (n.kind == type::float_) {
        if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max())
          return fail(why, "number out of float range: " + v.dump());
        write_float(out, static_cast<float>(d));
      } else {
        write_double(out, d);
      }
      return true;
    }
    case type::bytes:
    case type::fixed: {
      if (!v.is_string())
        return fail(why, "expected a string of bytes, got " + v.dump());
      std::string bytes;
      if (!latin1_bytes(v.get_ref<const std::string&>(), bytes))
        return fail(why, "bytes default has a code point above U+00FF");
      if (n.kind == type::fixed) {
        if (bytes.size() != n.size)
          return fail(why, "fixed default has " + std::to_string(bytes.size()) + " bytes, size is " +
                               std::to_string(n.size));
        out += bytes;
      } else {
        write_bytes(out, bytes.data(), bytes.size());
      }
      return true;
    }
    case type::string: {
      if (!v.is_string())
        return fail(why, "expected a string, got " + v.dump());
      const auto& s = v.get_ref<const std::string&>();
      write_bytes(out, s.data(), s.size());
      return true;
    }
    case type::enum_: {
      if (!v.is_string())
        return fail(why, "expected an enum symbol, got " + v.dump());
      int i = n.symbol_index(v.get_ref<const std::string&>());
      if (i < 0)
        return fail(why, "'" + v.get<std::string>() + "' is not a symbol of " + n.fullname);
      write_long(out, i);
      return true;
    }
    case type::array: {
      if (!v.is_array())
        return fail(why, "expected an array, got " + v.dump());
      if (!v.empty()) {
        write_long(out, static_cast<int64_t>(v.size()));
        for (const auto& item : v)
          if (!encode_default_at(*n.items, item, out, why, depth + 1))
            return false;
      }
      write_long(out, 0);
      return true;
    }
    case type::map: {
      if (!v.is_object())
        return fail(why, "expected an object, got " + v.dump());
      if (!v.empty()) {
        write_long(out, static_cast<int64_t>(v.size()));
        for (const auto& [k, item] : v.items()) {
          write_bytes(out, k.data(), k.size());
          if (!encode_default_at(*n.values, item, out, why, depth + 1))
            return false;
        }
      }
      write_long(out, 0);
      return true;
    }
    case type::union_:
      // Avro 1.11: a union's default corresponds to its first branch.
      write_long(out, 0);
      if (!encode_default_at(*n.branches[0], v, out, why, depth + 1)) {
        why = "union default must match the first branch (" + std::string{n.branches[0]->branch_name()} + "): " + why;
        return false;
      }
      return true;
    case type::record: {
      if (!v.is_object())
        return fail(why, "expected an object for record " + n.fullname + ", got " + v.dump());
      for (const auto& f : n.fields) {
        auto it = v.find(f.name);
        if (it != v.end()) {
          if (!encode_default_at(*f.type, *it, out, why, depth + 1)) {
            why = "field " + f.name + ": " + why;
            return false;
          }
        } else if (f.has_default) {
          // The field's own default, re-read: it may not be encoded yet when records nest.
          if (!encode_default_at(*f.type, json::parse(f.default_json), out, why, depth + 1))
            return false;
        } else {
          return fail(why, "record default lacks field " + f.name + " (which has no default)");
        }
      }
      return true;
    }
  }
  return fail(why, "unknown type");
}

} // namespace freshet::avro::detail
