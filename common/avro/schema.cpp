#include "common/avro/schema.hpp"

#include <array>
#include <unordered_set>

#include "common/avro/detail/schema_store.hpp"

namespace freshet::avro {

const char* to_string(type t) {
  switch (t) {
    case type::null: return "null";
    case type::boolean: return "boolean";
    case type::int_: return "int";
    case type::long_: return "long";
    case type::float_: return "float";
    case type::double_: return "double";
    case type::bytes: return "bytes";
    case type::string: return "string";
    case type::record: return "record";
    case type::enum_: return "enum";
    case type::array: return "array";
    case type::map: return "map";
    case type::union_: return "union";
    case type::fixed: return "fixed";
  }
  return "?";
}

int node::field_index(std::string_view n) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == n)
      return static_cast<int>(i);
  return -1;
}

int node::symbol_index(std::string_view s) const {
  for (std::size_t i = 0; i < symbols.size(); ++i)
    if (symbols[i] == s)
      return static_cast<int>(i);
  return -1;
}

std::string_view node::branch_name() const {
  if (is_named())
    return fullname;
  return to_string(kind);
}

const node& schema::root() const { return *store_->root; }
const std::string& schema::canonical_form() const { return store_->canonical; }
uint64_t schema::fingerprint() const { return store_->fingerprint; }
const std::string& schema::text() const { return store_->text; }

const node* schema::find(std::string_view fullname) const {
  auto it = store_->named.find(std::string{fullname});
  return it == store_->named.end() ? nullptr : it->second;
}

namespace {

constexpr uint64_t crc64_empty = 0xc15d213aa4d7a795ULL;

std::array<uint64_t, 256> make_crc64_table() {
  std::array<uint64_t, 256> t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t fp = i;
    for (int j = 0; j < 8; ++j)
      fp = (fp >> 1) ^ (crc64_empty & (0 - (fp & 1)));
    t[i] = fp;
  }
  return t;
}

// Names, symbols and primitive names are plain identifiers: nothing to escape.
void quoted(std::string& out, std::string_view s) {
  out += '"';
  out += s;
  out += '"';
}

void canonical(const node& n, std::string& out, std::unordered_set<const node*>& defined) {
  if (n.is_named()) {
    if (!defined.insert(&n).second) {
      quoted(out, n.fullname);
      return;
    }
    out += "{\"name\":";
    quoted(out, n.fullname);
    out += ",\"type\":";
    if (n.kind == type::record) {
      out += "\"record\",\"fields\":[";
      for (std::size_t i = 0; i < n.fields.size(); ++i) {
        if (i)
          out += ',';
        out += "{\"name\":";
        quoted(out, n.fields[i].name);
        out += ",\"type\":";
        canonical(*n.fields[i].type, out, defined);
        out += '}';
      }
      out += "]}";
    } else if (n.kind == type::enum_) {
      out += "\"enum\",\"symbols\":[";
      for (std::size_t i = 0; i < n.symbols.size(); ++i) {
        if (i)
          out += ',';
        quoted(out, n.symbols[i]);
      }
      out += "]}";
    } else {
      out += "\"fixed\",\"size\":" + std::to_string(n.size) + "}";
    }
    return;
  }
  switch (n.kind) {
    case type::array:
      out += "{\"type\":\"array\",\"items\":";
      canonical(*n.items, out, defined);
      out += '}';
      return;
    case type::map:
      out += "{\"type\":\"map\",\"values\":";
      canonical(*n.values, out, defined);
      out += '}';
      return;
    case type::union_:
      out += '[';
      for (std::size_t i = 0; i < n.branches.size(); ++i) {
        if (i)
          out += ',';
        canonical(*n.branches[i], out, defined);
      }
      out += ']';
      return;
    default:
      quoted(out, to_string(n.kind));
  }
}

} // namespace

uint64_t crc64_avro(std::string_view bytes) {
  static const auto table = make_crc64_table();
  uint64_t fp = crc64_empty;
  for (unsigned char b : bytes)
    fp = (fp >> 8) ^ table[(fp ^ b) & 0xff];
  return fp;
}

namespace detail {
std::string canonical_form(const node& root) {
  std::string out;
  std::unordered_set<const node*> defined;
  canonical(root, out, defined);
  return out;
}
} // namespace detail

} // namespace freshet::avro
