#include "common/avro/decoder.hpp"

#include <cstring>
#include <limits>

#include "common/avro/detail/binary.hpp"
#include "common/avro/detail/json_scanner.hpp"
#include "common/avro/detail/plan.hpp"
#include "common/avro/errc.hpp"

namespace freshet::avro {

using detail::op;
using detail::plan;

namespace {

/// One decode call: a bounds-checked cursor and the limits left.
class cursor {
 public:
  cursor(std::string_view in, const decode_options& o)
      : p_(reinterpret_cast<const unsigned char*>(in.data())), end_(p_ + in.size()), items_left_(o.max_items),
        max_depth_(o.max_depth) {}

  errc code{};
  std::string message;

  bool fail(errc c, std::string m) {
    if (code == errc{}) {
      code = c;
      message = std::move(m);
    }
    return false;
  }
  [[nodiscard]] std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  [[nodiscard]] bool at_end() const { return p_ == end_; }
  [[nodiscard]] std::size_t offset(const unsigned char* start) const { return static_cast<std::size_t>(p_ - start); }

  bool read_long(int64_t& v) {
    uint64_t u = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_)
        return fail(errc::truncated, "input ends inside a varint");
      unsigned char b = *p_++;
      if (shift == 63 && (b & 0x7e))
        return fail(errc::bad_varint, "varint overflows 64 bits");
      u |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        v = detail::unzigzag(u);
        return true;
      }
    }
    return fail(errc::bad_varint, "varint longer than 10 bytes");
  }
  bool read_int(int64_t& v) {
    if (!read_long(v))
      return false;
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
      return fail(errc::bad_varint, "int value " + std::to_string(v) + " outside 32 bits");
    return true;
  }
  bool read_length(std::size_t& n, const char* what) {
    int64_t v = 0;
    if (!read_long(v))
      return false;
    if (v < 0)
      return fail(errc::negative_length, std::string{what} + " length " + std::to_string(v) + " is negative");
    if (static_cast<uint64_t>(v) > left())
      return fail(errc::truncated, std::string{what} + " of " + std::to_string(v) + " bytes, but only " +
                                       std::to_string(left()) + " are left");
    n = static_cast<std::size_t>(v);
    return true;
  }
  bool take(std::size_t n, const unsigned char*& at) {
    if (n > left())
      return fail(errc::truncated, "input ends inside a value (" + std::to_string(n) + " bytes needed, " +
                                       std::to_string(left()) + " left)");
    at = p_;
    p_ += n;
    return true;
  }
  bool read_bytes(std::string& out, const char* what) {
    std::size_t n = 0;
    const unsigned char* at = nullptr;
    if (!read_length(n, what) || !take(n, at))
      return false;
    out.assign(reinterpret_cast<const char*>(at), n);
    return true;
  }
  // Strings must be UTF-8 (spec): garbage here is an error, not text for downstream to choke on.
  bool read_string(std::string& out, const char* what) {
    if (!read_bytes(out, what))
      return false;
    if (!detail::valid_utf8(out))
      return fail(errc::invalid_utf8, std::string{what} + " is not valid UTF-8");
    return true;
  }
  bool skip_string(const char* what) {
    std::size_t n = 0;
    const unsigned char* at = nullptr;
    if (!read_length(n, what) || !take(n, at))
      return false;
    if (!detail::valid_utf8(std::string_view{reinterpret_cast<const char*>(at), n}))
      return fail(errc::invalid_utf8, std::string{what} + " is not valid UTF-8");
    return true;
  }
  bool read_float(double& d) {
    const unsigned char* at = nullptr;
    if (!take(4, at))
      return false;
    float f;
    std::memcpy(&f, at, 4);
    d = f;
    return true;
  }
  bool read_double(double& d) {
    const unsigned char* at = nullptr;
    if (!take(8, at))
      return false;
    std::memcpy(&d, at, 8);
    return true;
  }
  // A container block's item count (0 = end), after the spec's negative-count-with-size form.
  bool block_count(std::size_t& count, std::size_t min_item_size) {
    int64_t c = 0;
    if (!read_long(c))
      return false;
    if (c < 0) {
      if (c == std::numeric_limits<int64_t>::min())
        return fail(errc::length_too_large, "block count out of range");
      c = -c;
      int64_t size = 0;
      if (!read_long(size))
        return false;
      if (size < 0)
        return fail(errc::negative_length, "block byte size is negative");
      if (static_cast<uint64_t>(size) > left())
        return fail(errc::truncated, "block of " + std::to_string(size) + " bytes, but only " +
                                         std::to_string(left()) + " are left");
    }
    auto u = static_cast<uint64_t>(c);
    if (min_item_size > 0 && u > left() / min_item_size)
      return fail(errc::truncated, "block of " + std::to_string(u) + " items cannot fit in the " +
                                       std::to_string(left()) + " bytes left");
    if (u > items_left_)
      return fail(errc::length_too_large, "block of " + std::to_string(u) + " items exceeds the limit of " +
                                              std::to_string(items_left_) + " items left");
    items_left_ -= u;
    count = static_cast<std::size_t>(u);
    return true;
  }
  bool enter(int& depth) {
    if (++depth > max_depth_)
      return fail(errc::too_deep, "data nested deeper than " + std::to_string(max_depth_));
    return true;
  }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
  std::size_t items_left_;
  int max_depth_;
};

// Skips one datum of writer type `n`.
bool skip(cursor& c, const node& n, int depth) {
  int64_t v = 0;
  const unsigned char* at = nullptr;
  std::size_t len = 0;
  switch (n.kind) {
    case type::null: return true;
    case type::boolean:
      if (!c.take(1, at))
        return false;
      if (*at > 1)
        return c.fail(errc::invalid_encoding, "boolean byte is neither 0 nor 1");
      return true;
    case type::int_: return c.read_int(v);
    case type::long_: return c.read_long(v);
    case type::float_: return c.take(4, at);
    case type::double_: return c.take(8, at);
    case type::bytes: return c.read_length(len, "bytes") && c.take(len, at);
    case type::string: return c.skip_string("string");
    case type::fixed: return c.take(n.size, at);
    case type::enum_:
      if (!c.read_int(v))
        return false;
      if (v < 0 || static_cast<std::size_t>(v) >= n.symbols.size())
        return c.fail(errc::bad_enum_index, "enum index " + std::to_string(v) + " out of range for " + n.fullname);
      return true;
    case type::union_:
      if (!c.enter(depth) || !c.read_long(v))
        return false;
      if (v < 0 || static_cast<std::size_t>(v) >= n.branches.size())
        return c.fail(errc::bad_union_index, "union index " + std::to_string(v) + " out of range");
      return skip(c, *n.branches[static_cast<std::size_t>(v)], depth);
    case type::record:
      if (!c.enter(depth))
        return false;
      for (const auto& f : n.fields)
        if (!skip(c, *f.type, depth))
          return false;
      return true;
    case type::array:
    case type::map: {
      if (!c.enter(depth))
        return false;
      const node& item = n.kind == type::array ? *n.items : *n.values;
      while (true) {
        std::size_t count = 0;
        if (!c.block_count(count, item.min_size + (n.kind == type::map ? 1 : 0)))
          return false;
        if (count == 0)
          return true;
        for (std::size_t i = 0; i < count; ++i) {
          if (n.kind == type::map && !c.skip_string("map key"))
            return false;
          if (!skip(c, item, depth))
            return false;
        }
      }
    }
  }
  return false;
}

bool run(cursor& c, const plan& p, value& out, int depth);

bool read_same(cursor& c, const node& n, value& out, int depth) {
  out.kind = n.kind;
  out.type_node = &n;
  const unsigned char* at = nullptr;
  switch (n.kind) {
    case type::null: return true;
    case type::boolean:
      if (!c.take(1, at))
        return false;
      if (*at > 1)
        return c.fail(errc::invalid_encoding, "boolean byte is neither 0 nor 1");
      out.boolean = *at == 1;
      return true;
    case type::int_: return c.read_int(out.integer);
    case type::long_: return c.read_long(out.integer);
    case type::float_: return c.read_float(out.real);
    case type::double_: return c.read_double(out.real);
    case type::bytes: return c.read_bytes(out.bytes, "bytes");
    case type::string: return c.read_string(out.bytes, "string");
    case type::fixed:
      if (!c.take(n.size, at))
        return false;
      out.bytes.assign(reinterpret_cast<const char*>(at), n.size);
      return true;
    default: (void)depth; return c.fail(errc::unresolvable, "internal: no plan for a composite type");
  }
}

bool run(cursor& c, const plan& p, value& out, int depth) {
  const node& r = *p.reader;
  switch (p.code) {
    case op::same: return read_same(c, *p.writer, out, depth) && ((out.type_node = &r), true);
    case op::int_to_long:
    case op::int_to_float:
    case op::int_to_double:
    case op::long_to_float:
    case op::long_to_double: {
      int64_t v = 0;
      bool ok = (p.code == op::long_to_float || p.code == op::long_to_double) ? c.read_long(v) : c.read_int(v);
      if (!ok)
        return false;
      out.kind = r.kind;
      out.type_node = &r;
      if (p.code == op::int_to_long)
        out.integer = v;
      else if (p.code == op::int_to_float || p.code == op::long_to_float)
        out.real = static_cast<float>(v);
      else
        out.real = static_cast<double>(v);
      return true;
    }
    case op::float_to_double:
      out.kind = type::double_;
      out.type_node = &r;
      return c.read_float(out.real);
    case op::string_to_bytes:
    case op::bytes_to_string:
      out.kind = r.kind;
      out.type_node = &r;
      return p.code == op::bytes_to_string ? c.read_string(out.bytes, "bytes read as string")
                                           : c.read_string(out.bytes, "string");
    case op::enum_: {
      int64_t i = 0;
      if (!c.read_int(i))
        return false;
      const node& w = *p.writer;
      if (i < 0 || static_cast<std::size_t>(i) >= w.symbols.size())
        return c.fail(errc::bad_enum_index, "enum index " + std::to_string(i) + " out of range for " + w.fullname);
      int ri = p.enum_map[static_cast<std::size_t>(i)];
      if (ri < 0)
        return c.fail(errc::unresolvable, "symbol '" + w.symbols[static_cast<std::size_t>(i)] + "' of writer enum " +
                                              w.fullname + " is unknown to the reader, which has no default");
      out.kind = type::enum_;
      out.type_node = &r;
      out.integer = ri;
      out.bytes = r.symbols[static_cast<std::size_t>(ri)];
      return true;
    }
    case op::record: {
      if (!c.enter(depth))
        return false;
      out.kind = type::record;
      out.type_node = &r;
      out.items.assign(r.fields.size(), value{});
      out.keys.resize(r.fields.size());
      for (std::size_t i = 0; i < r.fields.size(); ++i)
        out.keys[i] = r.fields[i].name;
      for (const auto& step : p.fields) {
        bool ok = step.reader_field < 0 ? skip(c, *step.writer_type, depth)
                                        : run(c, *step.sub, out.items[static_cast<std::size_t>(step.reader_field)], depth);
        if (!ok)
          return false;
      }
      for (std::size_t k = 0; k < p.defaulted.size(); ++k) {
        const field& f = r.fields[static_cast<std::size_t>(p.defaulted[k])];
        const plan* dp = p.default_plans[k];
        decode_options o;
        cursor dc{f.default_binary, o};
        if (!dp || !run(dc, *dp, out.items[static_cast<std::size_t>(p.defaulted[k])], depth))
          return c.fail(errc::unresolvable, "default of reader field '" + f.name + "' cannot be decoded");
      }
      return true;
    }
    case op::array:
    case op::map: {
      if (!c.enter(depth))
        return false;
      out.kind = r.kind;
      out.type_node = &r;
      const node& witem = p.code == op::array ? *p.writer->items : *p.writer->values;
      while (true) {
        std::size_t count = 0;
        if (!c.block_count(count, witem.min_size + (p.code == op::map ? 1 : 0)))
          return false;
        if (count == 0)
          return true;
        for (std::size_t i = 0; i < count; ++i) {
          if (p.code == op::map) {
            out.keys.emplace_back();
            if (!c.read_string(out.keys.back(), "map key"))
              return false;
          }
          out.items.emplace_back();
          if (!run(c, *p.items, out.items.back(), depth))
            return false;
        }
      }
    }
    case op::writer_union: {
      if (!c.enter(depth))
        return false;
      int64_t i = 0;
      if (!c.read_long(i))
        return false;
      if (i < 0 || static_cast<std::size_t>(i) >= p.branches.size())
        return c.fail(errc::bad_union_index, "union index " + std::to_string(i) + " out of range (" +
                                                 std::to_string(p.branches.size()) + " branches)");
      const plan* b = p.branches[static_cast<std::size_t>(i)];
      if (!b)
        return c.fail(errc::unresolvable, "writer union branch " +
                                              std::string{p.writer->branches[static_cast<std::size_t>(i)]->branch_name()} +
                                              " cannot be read by the reader schema");
      return run(c, *b, out, depth);
    }
    case op::reader_union:
      out.kind = type::union_;
      out.type_node = &r;
      out.integer = p.reader_branch;
      out.items.resize(1);
      return run(c, *p.inner, out.items[0], depth);
    case op::unreadable: return c.fail(errc::unresolvable, "the reader schema cannot read this data: " + p.why);
  }
  return c.fail(errc::unresolvable, "unknown plan");
}

} // namespace

decoder::decoder(schema writer, schema reader, decode_options opts)
    : writer_(std::move(writer)), reader_(std::move(reader)), opts_(opts), plans_(std::make_shared<detail::plan_store>()) {
  plans_->root = detail::build_plan(*plans_, writer_.root(), reader_.root(), plan_error_);
}

decoder::decoder(schema s, decode_options opts) : decoder(s, s, opts) {}

result<decoder> decoder::resolving(schema writer, schema reader, decode_options opts) {
  decoder d{std::move(writer), std::move(reader), opts};
  if (!d.plans_->root)
    return make_avro_error(errc::incompatible_schemas, "reader schema cannot read the writer schema: " + d.plan_error_);
  return d;
}

result<value> decoder::decode(std::string_view avro) const {
  if (!plans_->root)
    return make_avro_error(errc::incompatible_schemas, plan_error_);
  cursor c{avro, opts_};
  value v;
  if (!run(c, *plans_->root, v, 0))
    return make_avro_error(c.code, c.message + " (at byte " + std::to_string(avro.size() - c.left()) + ")");
  if (!c.at_end())
    return make_avro_error(errc::trailing_bytes, std::to_string(c.left()) + " bytes left after the datum");
  return v;
}

result<std::string> decoder::decode_json(std::string_view avro, union_style style) const {
  auto v = decode(avro);
  if (!v)
    return v.err();
  return to_json(*v, style);
}

status decoder::check(std::string_view avro) const {
  cursor c{avro, opts_};
  if (!skip(c, writer_.root(), 0))
    return make_avro_error(c.code, c.message + " (at byte " + std::to_string(avro.size() - c.left()) + ")");
  if (!c.at_end())
    return make_avro_error(errc::trailing_bytes, std::to_string(c.left()) + " bytes left after the datum");
  return {};
}

} // namespace freshet::avro
