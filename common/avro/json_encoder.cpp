#include "common/avro/json_encoder.hpp"

#include "common/avro/detail/binary.hpp"
#include "common/avro/detail/encode_run.hpp"
#include "common/avro/errc.hpp"
#include "common/avro/wire_format.hpp"

namespace freshet::avro::detail {

status encode_run::run(const node& root) {
  if (!value(root, 0))
    return failure();
  if (sc_.peek() != '\0' || sc_.p < sc_.end) {
    sc_.fail(errc::malformed_json, "unexpected characters after the JSON value");
    return failure();
  }
  return {};
}

status encode_run::failure() {
  std::string where = "$" + path_;
  return make_avro_error(sc_.fail_code, sc_.fail_message + " at " + where);
}

const char* encode_run::json_kind(char c) {
  switch (c) {
    case '"': return "a string";
    case '{': return "an object";
    case '[': return "an array";
    case 't':
    case 'f': return "a boolean";
    case 'n': return "null";
    case '\0': return "nothing";
    default: return (c == '-' || (c >= '0' && c <= '9')) ? "a number" : "an invalid token";
  }
}

bool encode_run::wrong(const node& n, char c) {
  if (c == 'n')
    return fail(errc::null_not_allowed, std::string{"null is not allowed for "} + describe(n));
  if (c != '"' && c != '{' && c != '[' && c != 't' && c != 'f' && c != '-' && !(c >= '0' && c <= '9'))
    return fail(errc::malformed_json, c == '\0' ? "unexpected end of input" : "unexpected character");
  return fail(errc::wrong_type, std::string{"expected "} + describe(n) + ", got " + json_kind(c));
}

std::string encode_run::describe(const node& n) {
  if (n.is_named())
    return std::string{to_string(n.kind)} + " " + n.fullname;
  if (n.kind == type::union_) {
    std::string s = "one of [";
    for (std::size_t i = 0; i < n.branches.size(); ++i)
      s += (i ? ", " : "") + std::string{n.branches[i]->branch_name()};
    return s + "]";
  }
  if (!n.logical_name.empty() && n.logical != logical::none)
    return std::string{to_string(n.kind)} + " (" + n.logical_name + ")";
  return to_string(n.kind);
}

bool encode_run::value(const node& n, int depth) {
  char c = sc_.peek();
  switch (n.kind) {
    case type::null:
      if (c != 'n')
        return wrong(n, c);
      return sc_.literal("null");
    case type::boolean:
      if (c == 't') {
        out_->push_back(1);
        return sc_.literal("true");
      }
      if (c == 'f') {
        out_->push_back(0);
        return sc_.literal("false");
      }
      return wrong(n, c);
    case type::int_:
    case type::long_:
    case type::float_:
    case type::double_: {
      if (c == '"' && (n.kind == type::float_ || n.kind == type::double_))
        return special_real(n);
      if (c != '-' && (c < '0' || c > '9'))
        return wrong(n, c);
      json_number num;
      return sc_.number(num) && number(n, num);
    }
    case type::string:
    case type::bytes:
    case type::enum_:
    case type::fixed: {
      if (c == '-' || (c >= '0' && c <= '9')) {
        if (n.logical == logical::decimal) {
          json_number num;
          return sc_.number(num) && decimal(n, num);
        }
      }
      if (c != '"')
        return wrong(n, c);
      std::string_view s;
      return sc_.string(s) && text(n, s);
    }
    case type::record:
      if (c != '{')
        return wrong(n, c);
      return record(n, depth);
    case type::array:
      if (c != '[')
        return wrong(n, c);
      return array(n, depth);
    case type::map:
      if (c != '{')
        return wrong(n, c);
      return map(n, depth);
    case type::union_: return union_value(n, c, depth);
  }
  return fail(errc::wrong_type, "unsupported type");
}

// --- containers -----------------------------------------------------------------------------
bool encode_run::deeper(int depth) {
  if (depth + 1 > enc_.opts_.max_depth)
    return fail(errc::too_deep, "JSON nested deeper than " + std::to_string(enc_.opts_.max_depth));
  return true;
}

bool encode_run::record(const node& n, int depth) {
  if (!deeper(depth))
    return false;
  ++sc_.p; // '{'
  auto& scr = enc_.scratch_[static_cast<std::size_t>(depth)];
  const std::size_t nf = n.fields.size();
  scr.buf.clear();
  if (scr.seen.size() < nf) {
    scr.seen.resize(nf);
    scr.start.resize(nf);
    scr.len.resize(nf);
  }
  std::fill_n(scr.seen.begin(), nf, 0);
  std::size_t next = 0;
  if (sc_.peek() == '}') {
    ++sc_.p;
  } else {
    while (true) {
      if (sc_.peek() != '"')
        return fail(errc::malformed_json, "expected a field name");
      std::string_view key;
      if (!sc_.string(key) || !sc_.expect(':'))
        return false;
      int idx = -1;
      if (next < nf && n.fields[next].name == key) {
        idx = static_cast<int>(next);
      } else {
        for (std::size_t i = 0; i < nf; ++i)
          if (n.fields[i].name == key) {
            idx = static_cast<int>(i);
            break;
          }
      }
      if (idx < 0) {
        if (enc_.opts_.unknown_fields == unknown_field_policy::reject) {
          in_field(key);
          return fail(errc::unknown_field, "field '" + std::string{key.substr(0, 64)} + "' is not in record " + n.fullname);
        }
        if (!sc_.skip_value(depth + 1, enc_.opts_.max_depth))
          return false;
      } else {
        auto i = static_cast<std::size_t>(idx);
        if (scr.seen[i]) {
          in_field(key);
          return fail(errc::malformed_json, "duplicate field '" + std::string{key} + "'");
        }
        scr.seen[i] = 1;
        const field& f = n.fields[i];
        if (i == next) {
          if (!value(*f.type, depth + 1)) {
            in_field(f.name);
            return false;
          }
          ++next;
          while (next < nf && scr.seen[next]) {
            out_->append(scr.buf, scr.start[next], scr.len[next]);
            ++next;
          }
        } else {
          std::string* saved = out_;
          out_ = &scr.buf;
          auto s = scr.buf.size();
          bool ok = value(*f.type, depth + 1);
          out_ = saved;
          if (!ok) {
            in_field(f.name);
            return false;
          }
          scr.start[i] = static_cast<uint32_t>(s);
          scr.len[i] = static_cast<uint32_t>(scr.buf.size() - s);
        }
      }
      char sep = sc_.peek();
      if (sep == '}') {
        ++sc_.p;
        break;
      }
      if (sep != ',')
        return fail(errc::malformed_json, "expected ',' or '}' in object");
      ++sc_.p;
    }
  }
  for (; next < nf; ++next) {
    const field& f = n.fields[next];
    if (scr.seen[next]) {
      out_->append(scr.buf, scr.start[next], scr.len[next]);
    } else if (f.has_default) {
      out_->append(f.default_binary);
    } else {
      in_field(f.name);
      return fail(errc::missing_field, "required field '" + f.name + "' of " + n.fullname + " is missing");
    }
  }
  return true;
}

// Writes the item count in front of the items once it is known (one block, then the 0 end marker).
void encode_run::close_block(std::size_t start, int64_t count) {
  if (count > 0) {
    char buf[10];
    out_->insert(start, buf, detail::put_long(buf, count));
  }
  out_->push_back(0);
}

bool encode_run::array(const node& n, int depth) {
  if (!deeper(depth))
    return false;
  ++sc_.p; // '['
  std::size_t start = out_->size();
  int64_t count = 0;
  if (sc_.peek() == ']') {
    ++sc_.p;
  } else {
    while (true) {
      if (!value(*n.items, depth + 1)) {
        in_index(static_cast<std::size_t>(count));
        return false;
      }
      ++count;
      char sep = sc_.peek();
      if (sep == ']') {
        ++sc_.p;
        break;
      }
      if (sep != ',')
        return fail(errc::malformed_json, "expected ',' or ']' in array");
      ++sc_.p;
    }
  }
  close_block(start, count);
  return true;
}

bool encode_run::map(const node& n, int depth) {
  if (!deeper(depth))
    return false;
  ++sc_.p; // '{'
  std::size_t start = out_->size();
  int64_t count = 0;
  if (sc_.peek() == '}') {
    ++sc_.p;
  } else {
    while (true) {
      if (sc_.peek() != '"')
        return fail(errc::malformed_json, "expected a map key");
      std::string_view key;
      if (!sc_.string(key))
        return false;
      detail::write_bytes(*out_, key.data(), key.size());
      // An escaped key lives in the scanner's buffer, which the value may reuse: keep it for the path.
      std::string escaped_key;
      if (!sc_.tmp.empty() && key.data() == sc_.tmp.data())
        escaped_key = key;
      if (!sc_.expect(':'))
        return false;
      if (!value(*n.values, depth + 1)) {
        in_field(escaped_key.empty() ? key : std::string_view{escaped_key});
        return false;
      }
      ++count;
      char sep = sc_.peek();
      if (sep == '}') {
        ++sc_.p;
        break;
      }
      if (sep != ',')
        return fail(errc::malformed_json, "expected ',' or '}' in object");
      ++sc_.p;
    }
  }
  close_block(start, count);
  return true;
}
} // namespace freshet::avro::detail

namespace freshet::avro {

using detail::encode_run;

json_encoder::json_encoder(avro::schema s, encode_options opts) : schema_(std::move(s)), opts_(opts) {
  if (opts_.max_depth < 1)
    opts_.max_depth = 1;
  scratch_.resize(static_cast<std::size_t>(opts_.max_depth) + 2);
}

status json_encoder::encode(std::string_view json, std::string& out) {
  const std::size_t before = out.size();
  encode_run r{*this, json, out};
  auto st = r.run(schema_.root());
  if (!st.ok())
    out.resize(before);
  return st;
}

status json_encoder::encode_framed(schema_id id, std::string_view json, std::string& out) {
  const std::size_t before = out.size();
  write_confluent_header(out, id);
  auto st = encode(json, out);
  if (!st.ok())
    out.resize(before);
  return st;
}

} // namespace freshet::avro
