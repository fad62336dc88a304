#include "common/event/avro_codec.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/avro/errc.hpp"
#include "common/avro/wire_format.hpp"

namespace freshet::event {

namespace {

using json = nlohmann::json;
using avro::type;

// ---- Avro -> record ----------------------------------------------------------------------------

void put(const avro::value& v, const std::string& path, record& out);

void flatten(const avro::value& rec, const std::string& prefix, record& out) {
  for (std::size_t i = 0; i < rec.items.size() && i < rec.keys.size(); ++i)
    put(rec.items[i], prefix.empty() ? rec.keys[i] : prefix + "." + rec.keys[i], out);
}

void put(const avro::value& v, const std::string& path, record& out) {
  const avro::value& x = v.unwrapped();
  switch (x.kind) {
    case type::null: out.set(path, std::monostate{}); return;
    case type::boolean: out.set(path, x.boolean); return;
    case type::int_:
    case type::long_: out.set(path, x.integer); return;
    case type::float_:
    case type::double_: out.set(path, x.real); return;
    case type::string:
    case type::enum_:
    case type::bytes:
    case type::fixed: out.set(path, x.bytes); return;
    case type::record: flatten(x, path, out); return;
    case type::array:
    case type::map: out.set(path, avro::to_json(x, avro::union_style::wrapped)); return;
    case type::union_: out.set(path, std::monostate{}); return; // a union of a union cannot occur
  }
}

// ---- record -> Avro (through schema-guided Avro JSON) ----------------------------------------

bool has_children(const record& r, const std::string& path) {
  for (const auto& [k, v] : r.fields())
    if (k.size() > path.size() && k[path.size()] == '.' && k.compare(0, path.size(), path) == 0)
      return true;
  return false;
}

/// Bytes as the JSON string of code points U+0000..U+00FF that Avro JSON uses for bytes and fixed.
std::string bytes_as_code_points(const std::string& raw) {
  std::string s;
  s.reserve(raw.size());
  for (unsigned char c : raw) {
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else {
      s += static_cast<char>(0xc0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return s;
}

json real_json(double d) {
  if (std::isnan(d))
    return "NaN";
  if (std::isinf(d))
    return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

bool integral(double d) {
  return std::isfinite(d) && d == std::floor(d) && d >= -9.2e18 && d <= 9.2e18;
}

/// The JSON for one scalar of `n`'s type. Values that do not fit are passed through as they are,
/// so that the JSON encoder rejects them with its usual reason and path.
json scalar(const avro::node& n, const value& v) {
  struct visitor {
    const avro::node& n;
    json operator()(std::monostate) const { return nullptr; }
    json operator()(bool b) const { return b; }
    json operator()(int64_t i) const { return i; }
    json operator()(double d) const {
      if ((n.kind == type::int_ || n.kind == type::long_) && integral(d))
        return static_cast<int64_t>(d);
      return real_json(d);
    }
    json operator()(const std::string& s) const {
      if (n.kind == type::bytes || n.kind == type::fixed)
        return bytes_as_code_points(s);
      if (n.kind == type::array || n.kind == type::map) {
        auto doc = json::parse(s, nullptr, false);
        if (!doc.is_discarded())
          return doc;
      }
      return s;
    }
  };
  return std::visit(visitor{n}, v);
}

bool fits(const avro::node& b, const value& v) {
  if (std::holds_alternative<std::monostate>(v))
    return b.kind == type::null;
  if (std::holds_alternative<bool>(v))
    return b.kind == type::boolean;
  if (auto i = std::get_if<int64_t>(&v)) {
    if (b.kind == type::int_)
      return *i >= std::numeric_limits<int32_t>::min() && *i <= std::numeric_limits<int32_t>::max();
    return b.kind == type::long_ || b.kind == type::float_ || b.kind == type::double_;
  }
  if (auto d = std::get_if<double>(&v)) {
    if (b.kind == type::float_ || b.kind == type::double_)
      return true;
    return (b.kind == type::long_) && integral(*d);
  }
  const auto& s = std::get<std::string>(v);
  switch (b.kind) {
    case type::string:
    case type::bytes: return true;
    case type::enum_: return b.symbol_index(s) >= 0;
    case type::fixed: return s.size() == b.size;
    case type::array:
    case type::map: {
      auto doc = json::parse(s, nullptr, false);
      return b.kind == type::array ? doc.is_array() : doc.is_object();
    }
    default: return false;
  }
}

json record_json(const avro::node& n, const std::string& prefix, const record& r);

/// The JSON for the field at `path` of type `n`, or nothing when the record has no value for it
/// (the field default then applies).
std::optional<json> field_json(const avro::node& n, const std::string& path, const record& r) {
  if (n.kind == type::record && has_children(r, path))
    return record_json(n, path, r);
  if (n.kind == type::union_) {
    if (has_children(r, path))
      for (const auto* b : n.branches)
        if (b->kind == type::record)
          return json{{std::string{b->branch_name()}, record_json(*b, path, r)}};
    const value* v = r.get(path);
    if (!v)
      return std::nullopt;
    for (const auto* b : n.branches)
      if (fits(*b, *v))
        return b->kind == type::null ? json(nullptr) : json{{std::string{b->branch_name()}, scalar(*b, *v)}};
    return scalar(n, *v);
  }
  const value* v = r.get(path);
  if (!v)
    return std::nullopt;
  return scalar(n, *v);
}

json record_json(const avro::node& n, const std::string& prefix, const record& r) {
  json obj = json::object();
  for (const auto& f : n.fields) {
    auto path = prefix.empty() ? f.name : prefix + "." + f.name;
    if (auto j = field_json(*f.type, path, r))
      obj[f.name] = std::move(*j);
  }
  return obj;
}

} // namespace

result<record> to_record(const avro::value& datum) {
  if (datum.kind != type::record)
    return avro::make_avro_error(avro::errc::wrong_type,
                                 std::string{"an event must be a record, not "} + avro::to_string(datum.kind));
  record out;
  flatten(datum, "", out);
  return out;
}

result<record> decode_avro(const avro::decoder& dec, std::string_view avro) {
  if (dec.reader().root().kind != type::record)
    return avro::make_avro_error(avro::errc::wrong_type, std::string{"an event schema must be a record, not "} +
                                                           avro::to_string(dec.reader().root().kind));
  auto v = dec.decode(avro);
  if (!v)
    return v.err();
  return to_record(*v);
}

avro_encoder::avro_encoder(avro::schema s)
    : schema_(s), json_(std::move(s), avro::encode_options{.unknown_fields = avro::unknown_field_policy::reject,
                                                             .max_depth = 64,
                                                             .allow_negative_timestamps = true}) {}

status avro_encoder::encode(const record& r, std::string& out) {
  const auto& root = schema_.root();
  if (root.kind != type::record)
    return avro::make_avro_error(avro::errc::wrong_type, std::string{"an event schema must be a record, not "} +
                                                           avro::to_string(root.kind));
  try {
    text_ = record_json(root, "", r).dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::type_error& e) {
    return avro::make_avro_error(avro::errc::invalid_utf8, std::string{"a string field is not UTF-8: "} + e.what());
  }
  return json_.encode(text_, out);
}

status avro_encoder::encode_framed(schema_id id, const record& r, std::string& out) {
  auto size = out.size();
  avro::write_confluent_header(out, id);
  auto st = encode(r, out);
  if (!st.ok())
    out.resize(size);
  return st;
}

} // namespace freshet::event
