// JSON -> Avro unions: bare values (first fitting branch) and the Avro JSON {"branch": value} form.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/avro/detail/binary.hpp"
#include "common/avro/detail/encode_run.hpp"
#include "common/avro/errc.hpp"

namespace freshet::avro::detail {

// --- unions ---------------------------------------------------------------------------------
void encode_run::branch_index(std::size_t i) {
  if (i < 64)
    out_->push_back(static_cast<char>(i * 2));
  else
    detail::write_long(*out_, static_cast<int64_t>(i));
}

bool encode_run::names_branch(const node& b, std::string_view key) {
  return b.branch_name() == key || (b.is_named() && b.name == key);
}

bool encode_run::union_value(const node& n, char c, int depth) {
  const auto& br = n.branches;
  switch (c) {
    case 'n':
      if (n.null_branch < 0)
        return wrong(n, c);
      branch_index(static_cast<std::size_t>(n.null_branch));
      return sc_.literal("null");
    case 't':
    case 'f':
      for (std::size_t i = 0; i < br.size(); ++i)
        if (br[i]->kind == type::boolean) {
          branch_index(i);
          return value(*br[i], depth);
        }
      return wrong(n, c);
    case '"': {
      const char* at = sc_.p;
      std::string_view s;
      if (!sc_.string(s))
        return false;
      int fallback = -1;
      for (std::size_t i = 0; i < br.size(); ++i) {
        const node& b = *br[i];
        bool take = b.kind == type::string || b.kind == type::bytes ||
                    (b.kind == type::enum_ && b.symbol_index(s) >= 0) ||
                    (b.kind == type::fixed && detail::latin1_to_bytes(s, enc_.bytes_tmp_) && enc_.bytes_tmp_.size() == b.size);
        if (take) {
          branch_index(i);
          return text(b, s);
        }
        if (fallback < 0 && (b.kind == type::enum_ || b.kind == type::fixed))
          fallback = static_cast<int>(i);
      }
      double special = 0;
      if (special_name(s, special))
        for (std::size_t i = 0; i < br.size(); ++i)
          if (br[i]->kind == type::float_ || br[i]->kind == type::double_) {
            branch_index(i);
            return write_real(*br[i], special);
          }
      if (fallback >= 0)
        return text(*br[static_cast<std::size_t>(fallback)], s); // reports the enum/fixed reason
      sc_.p = at;
      return wrong(n, c);
    }
    case '[':
      for (std::size_t i = 0; i < br.size(); ++i)
        if (br[i]->kind == type::array) {
          branch_index(i);
          return value(*br[i], depth);
        }
      return wrong(n, c);
    case '{': return union_object(n, depth);
    default: {
      if (c != '-' && (c < '0' || c > '9'))
        return wrong(n, c);
      json_number num;
      if (!sc_.number(num))
        return false;
      int first = -1;
      for (std::size_t i = 0; i < br.size(); ++i) {
        const node& b = *br[i];
        bool numeric = b.kind == type::int_ || b.kind == type::long_ || b.kind == type::float_ || b.kind == type::double_ ||
                       (b.logical == logical::decimal);
        if (!numeric)
          continue;
        if (first < 0)
          first = static_cast<int>(i);
        if (b.logical == logical::decimal || fits(b, num)) {
          branch_index(i);
          return b.logical == logical::decimal ? decimal(b, num) : number(b, num);
        }
      }
      if (first < 0)
        return wrong(n, c);
      return number(*br[static_cast<std::size_t>(first)], num); // reports why it does not fit
    }
  }
}

// An object for a union: {"branch": value} (Avro JSON), else a bare record or map.
bool encode_run::union_object(const node& n, int depth) {
  const auto& br = n.branches;
  const char* at = sc_.p;
  const std::size_t out_at = out_->size();
  ++sc_.p;
  if (sc_.peek() == '"') {
    std::string_view key;
    if (!sc_.string(key))
      return false;
    for (std::size_t i = 0; i < br.size(); ++i) {
      if (!names_branch(*br[i], key))
        continue;
      if (!sc_.expect(':') || !deeper(depth))
        return false;
      branch_index(i);
      std::string label{br[i]->branch_name()};
      if (!value(*br[i], depth + 1)) {
        in_field(label);
        return false;
      }
      if (sc_.peek() == '}') {
        ++sc_.p;
        return true;
      }
      break; // more members: not the wrapped form; read it as a bare record or map
    }
  }
  sc_.p = at;
  out_->resize(out_at);
  bool tried = false;
  for (std::size_t i = 0; i < br.size(); ++i) {
    if (br[i]->kind != type::record && br[i]->kind != type::map)
      continue;
    sc_.p = at;
    out_->resize(out_at);
    branch_index(i);
    auto saved_path = path_;
    if (value(*br[i], depth))
      return true;
    if (!tried) {
      tried = true;
      first_error_ = {sc_.fail_code, sc_.fail_message, path_};
    }
    path_ = saved_path;
  }
  if (!tried)
    return wrong(n, '{');
  sc_.fail_code = first_error_.code;
  sc_.fail_message = first_error_.message;
  path_ = first_error_.path;
  return false;
}
} // namespace freshet::avro::detail
