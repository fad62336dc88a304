#include "common/parquet/value.hpp"

#include <cstring>
#include <sstream>

namespace freshet::parquet {

const std::string& value::empty_bytes() {
  static const std::string empty;
  return empty;
}

const std::vector<value>& value::empty_items() {
  static const std::vector<value> empty;
  return empty;
}

value value::float32(float v) {
  value out;
  out.kind_ = kind::float32;
  out.d_ = v;
  return out;
}

value value::float64(double v) {
  value out;
  out.kind_ = kind::float64;
  out.d_ = v;
  return out;
}

value value::bytes(std::string v) {
  value out;
  new (&out.s_) std::string(std::move(v));
  out.kind_ = kind::bytes;
  return out;
}

value value::list(std::vector<value> items) {
  value out;
  new (&out.items_) std::vector<value>(std::move(items));
  out.kind_ = kind::list;
  return out;
}

value value::map(std::vector<std::pair<value, value>> entries) {
  value out;
  new (&out.items_) std::vector<value>();
  out.kind_ = kind::map;
  out.items_.reserve(entries.size() * 2);
  for (auto& [k, v] : entries) {
    out.items_.push_back(std::move(k));
    out.items_.push_back(std::move(v));
  }
  return out;
}

value value::map_interleaved(std::vector<value> keys_and_values) {
  value out;
  new (&out.items_) std::vector<value>(std::move(keys_and_values));
  out.kind_ = kind::map;
  if (out.items_.size() % 2)
    out.items_.pop_back();
  return out;
}

value value::struct_(std::vector<value> members) {
  value out;
  new (&out.items_) std::vector<value>(std::move(members));
  out.kind_ = kind::struct_;
  return out;
}

bool operator==(const value& a, const value& b) {
  if (a.kind_ != b.kind_)
    return false;
  switch (a.kind_) {
    case value::kind::null: return true;
    case value::kind::boolean:
    case value::kind::int32:
    case value::kind::int64: return a.i_ == b.i_;
    case value::kind::float32: {
      const float x = a.as_float(), y = b.as_float();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case value::kind::float64: return std::memcmp(&a.d_, &b.d_, sizeof a.d_) == 0;
    case value::kind::bytes: return a.s_ == b.s_;
    case value::kind::list:
    case value::kind::map:
    case value::kind::struct_: return a.items_ == b.items_;
  }
  return false;
}

std::string value::to_string() const {
  std::ostringstream o;
  switch (kind_) {
    case kind::null: o << "null"; break;
    case kind::boolean: o << (i_ ? "true" : "false"); break;
    case kind::int32:
    case kind::int64: o << i_; break;
    case kind::float32:
    case kind::float64: o << d_; break;
    case kind::bytes: o << '"' << s_ << '"'; break;
    case kind::list:
    case kind::struct_: {
      o << (kind_ == kind::list ? '[' : '{');
      for (size_t i = 0; i < items_.size(); ++i)
        o << (i ? ", " : "") << items_[i].to_string();
      o << (kind_ == kind::list ? ']' : '}');
      break;
    }
    case kind::map: {
      o << "map{";
      for (size_t i = 0; i < map_size(); ++i)
        o << (i ? ", " : "") << map_key(i).to_string() << ": " << map_value(i).to_string();
      o << '}';
      break;
    }
  }
  return o.str();
}

} // namespace freshet::parquet
