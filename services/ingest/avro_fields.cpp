#include "services/ingest/avro_fields.hpp"

#include <cstring>

namespace freshet::ingest {

namespace {

using avro::type;

/// A cursor over Avro binary that refuses to run past the end.
struct reader {
  const unsigned char* p;
  const unsigned char* end;

  bool read_long(int64_t& v) {
    uint64_t u = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p == end)
        return false;
      unsigned char b = *p++;
      u |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
        return true;
      }
    }
    return false;
  }
  bool skip(uint64_t n) {
    if (n > static_cast<uint64_t>(end - p))
      return false;
    p += n;
    return true;
  }
  bool read_bytes(std::string_view& out) {
    int64_t n = 0;
    if (!read_long(n) || n < 0 || static_cast<uint64_t>(n) > static_cast<uint64_t>(end - p))
      return false;
    out = {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
    p += n;
    return true;
  }
};

bool skip_value(const avro::node& n, reader& r, int depth);

bool skip_blocks(const avro::node& item, bool map, reader& r, int depth) {
  for (;;) {
    int64_t count = 0;
    if (!r.read_long(count))
      return false;
    if (count == 0)
      return true;
    if (count < 0) {
      int64_t bytes = 0;
      if (!r.read_long(bytes) || bytes < 0)
        return false;
      if (!r.skip(static_cast<uint64_t>(bytes)))
        return false;
      continue;
    }
    for (int64_t i = 0; i < count; ++i) {
      std::string_view key;
      if (map && !r.read_bytes(key))
        return false;
      if (!skip_value(item, r, depth + 1))
        return false;
    }
  }
}

bool skip_value(const avro::node& n, reader& r, int depth) {
  if (depth > 256)
    return false;
  int64_t v = 0;
  std::string_view s;
  switch (n.kind) {
    case type::null: return true;
    case type::boolean: return r.skip(1);
    case type::int_:
    case type::long_:
    case type::enum_: return r.read_long(v);
    case type::float_: return r.skip(4);
    case type::double_: return r.skip(8);
    case type::bytes:
    case type::string: return r.read_bytes(s);
    case type::fixed: return r.skip(n.size);
    case type::record:
      for (const auto& f : n.fields)
        if (!skip_value(*f.type, r, depth + 1))
          return false;
      return true;
    case type::array: return skip_blocks(*n.items, false, r, depth);
    case type::map: return skip_blocks(*n.values, true, r, depth);
    case type::union_:
      if (!r.read_long(v) || v < 0 || static_cast<std::size_t>(v) >= n.branches.size())
        return false;
      return skip_value(*n.branches[static_cast<std::size_t>(v)], r, depth + 1);
  }
  return false;
}

/// The non-null branch of a ["null", T] union, or the node itself.
const avro::node* unnull(const avro::node* n) {
  if (n->kind != type::union_)
    return n;
  if (n->branches.size() == 2 && n->null_branch >= 0)
    return n->branches[static_cast<std::size_t>(1 - n->null_branch)];
  return nullptr;
}

bool key_type_ok(const avro::node* n) {
  n = unnull(n);
  return n && (n->kind == type::string || n->kind == type::enum_ || n->kind == type::int_ || n->kind == type::long_ ||
               n->kind == type::bytes);
}

bool time_type_ok(const avro::node* n) {
  n = unnull(n);
  return n && (n->kind == type::long_ || n->kind == type::int_);
}

/// Reads a union's branch (or the node itself); null when the value is null.
const avro::node* branch_of(const avro::node* n, reader& r) {
  if (n->kind != type::union_)
    return n;
  int64_t idx = 0;
  if (!r.read_long(idx) || idx < 0 || static_cast<std::size_t>(idx) >= n->branches.size())
    return nullptr;
  return n->branches[static_cast<std::size_t>(idx)];
}

} // namespace

result<field_locator> field_locator::make(const avro::schema& s, std::string_view key_field,
                                          std::string_view time_field) {
  field_locator f;
  f.schema_ = s;
  f.root_ = &f.schema_.root();
  if (f.root_->kind != type::record)
    return make_error(error_domain::config, 1, "an event schema must be a record");
  auto find = [&](std::string_view name, const char* what, bool (*ok)(const avro::node*), int& index) -> status {
    if (name.empty())
      return {};
    index = f.root_->field_index(name);
    if (index < 0)
      return make_error(error_domain::config, 1, std::string{what} + " field '" + std::string{name} +
                                                   "' is not a field of " + f.root_->fullname);
    if (!ok(f.root_->fields[static_cast<std::size_t>(index)].type))
      return make_error(error_domain::config, 1, std::string{what} + " field '" + std::string{name} + "' of " +
                                                   f.root_->fullname + " has a type that cannot serve as one");
    f.last_needed_ = std::max(f.last_needed_, index);
    return {};
  };
  FRESHET_TRY(find(key_field, "key", key_type_ok, f.key_index_));
  FRESHET_TRY(find(time_field, "event-time", time_type_ok, f.time_index_));
  if (f.time_index_ >= 0)
    f.time_micros_ = unnull(f.root_->fields[static_cast<std::size_t>(f.time_index_)].type)->logical ==
                     avro::logical::timestamp_micros;
  if (int id = f.root_->field_index("event_id"); id >= 0) {
    auto* n = unnull(f.root_->fields[static_cast<std::size_t>(id)].type);
    if (n && n->kind == type::string) {
      f.id_index_ = id;
      f.last_needed_ = std::max(f.last_needed_, id);
    }
  }
  return f;
}

bool field_locator::read(std::string_view avro, event_fields& out) const {
  out.has_key = key_index_ >= 0;
  out.key_null = false;
  out.key.clear();
  out.event_time_ms.reset();
  out.event_id.clear();
  reader r{reinterpret_cast<const unsigned char*>(avro.data()),
           reinterpret_cast<const unsigned char*>(avro.data()) + avro.size()};
  for (int i = 0; i <= last_needed_; ++i) {
    const avro::node* t = root_->fields[static_cast<std::size_t>(i)].type;
    if (i != key_index_ && i != time_index_ && i != id_index_) {
      if (!skip_value(*t, r, 0))
        return false;
      continue;
    }
    const avro::node* b = branch_of(t, r);
    if (!b)
      return false;
    int64_t v = 0;
    std::string_view s;
    if (i == key_index_) {
      switch (b->kind) {
        case type::null: out.key_null = true; break;
        case type::string:
        case type::bytes:
          if (!r.read_bytes(s))
            return false;
          out.key.assign(s);
          break;
        case type::enum_:
          if (!r.read_long(v) || v < 0 || static_cast<std::size_t>(v) >= b->symbols.size())
            return false;
          out.key = b->symbols[static_cast<std::size_t>(v)];
          break;
        default:
          if (!r.read_long(v))
            return false;
          out.key = std::to_string(v);
      }
    } else if (i == time_index_) {
      if (b->kind != type::null) {
        if (!r.read_long(v))
          return false;
        out.event_time_ms = time_micros_ ? v / 1000 : v;
      }
    } else {
      if (b->kind == type::string) {
        if (!r.read_bytes(s))
          return false;
        out.event_id.assign(s);
      }
    }
  }
  return true;
}

} // namespace freshet::ingest
