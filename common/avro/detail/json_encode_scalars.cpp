// JSON scalars -> Avro: numbers, decimals, strings, bytes, enums.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/avro/detail/binary.hpp"
#include "common/avro/detail/encode_run.hpp"
#include "common/avro/errc.hpp"

namespace freshet::avro::detail {

// --- scalars -------------------------------------------------------------------------------
bool encode_run::fits(const node& n, const json_number& num) const {
  switch (n.kind) {
    case type::int_:
      return num.integer && !num.overflow && num.value >= std::numeric_limits<int32_t>::min() &&
             num.value <= std::numeric_limits<int32_t>::max();
    case type::long_:
      if (n.logical == logical::timestamp_millis || n.logical == logical::timestamp_micros)
        return num.integer && !num.overflow && (num.value >= 0 || enc_.opts_.allow_negative_timestamps);
      return num.integer && !num.overflow;
    case type::float_:
    case type::double_: return true;
    default: return false;
  }
}

bool encode_run::number(const node& n, const json_number& num) {
  bool ts = n.logical == logical::timestamp_millis || n.logical == logical::timestamp_micros;
  switch (n.kind) {
    case type::int_:
    case type::long_:
      if (!num.integer) {
        if (ts)
          return fail(errc::bad_timestamp, "timestamp " + std::string{num.text} + " is not an integer");
        return fail(errc::number_out_of_range,
                    std::string{num.text} + " is not an integer, as " + to_string(n.kind) + " needs");
      }
      if (num.overflow)
        return fail(ts ? errc::bad_timestamp : errc::number_out_of_range,
                    std::string{num.text} + " does not fit in a 64-bit long");
      if (n.kind == type::int_ && (num.value < std::numeric_limits<int32_t>::min() ||
                                   num.value > std::numeric_limits<int32_t>::max()))
        return fail(errc::number_out_of_range, std::string{num.text} + " does not fit in a 32-bit int");
      if (ts && num.value < 0 && !enc_.opts_.allow_negative_timestamps)
        return fail(errc::bad_timestamp, "timestamp " + std::string{num.text} + " is negative");
      {
        char buf[10];
        out_->append(buf, detail::put_long(buf, num.value));
      }
      return true;
    case type::float_:
    case type::double_: {
      double d = 0;
      if (num.integer && !num.overflow) {
        d = static_cast<double>(num.value);
      } else {
        auto [ptr, ec] = std::from_chars(num.text.data(), num.text.data() + num.text.size(), d);
        if (ec == std::errc::result_out_of_range) {
          // from_chars leaves `d` alone here; strtod tells underflow (rounds to 0) from overflow.
          std::string copy{num.text};
          d = std::strtod(copy.c_str(), nullptr);
          if (std::isinf(d))
            return fail(errc::number_out_of_range, std::string{num.text} + " is out of double range");
        } else if (ec != std::errc{}) {
          return fail(errc::malformed_json, "invalid number");
        }
      }
      if (n.kind == type::float_ && std::isinf(static_cast<float>(d)))
        return fail(errc::number_out_of_range, std::string{num.text} + " is out of float range");
      return write_real(n, d);
    }
    default: return fail(errc::wrong_type, std::string{"expected "} + describe(n) + ", got a number");
  }
}

// "NaN", "Infinity" and "-Infinity": how Avro JSON (and our decoder) spell what JSON numbers cannot.
bool encode_run::special_name(std::string_view s, double& d) {
  if (s == "NaN")
    d = std::numeric_limits<double>::quiet_NaN();
  else if (s == "Infinity")
    d = std::numeric_limits<double>::infinity();
  else if (s == "-Infinity")
    d = -std::numeric_limits<double>::infinity();
  else
    return false;
  return true;
}

bool encode_run::special_real(const node& n) {
  std::string_view s;
  if (!sc_.string(s))
    return false;
  double d = 0;
  if (!special_name(s, d))
    return fail(errc::wrong_type, std::string{"expected "} + describe(n) +
                                      ", got a string (only \"NaN\", \"Infinity\", \"-Infinity\" are numbers)");
  return write_real(n, d);
}

bool encode_run::write_real(const node& n, double d) {
  if (n.kind == type::float_) {
    auto f = static_cast<float>(d);
    if (std::isinf(f) && std::isfinite(d))
      return fail(errc::number_out_of_range, std::to_string(d) + " is out of float range");
    detail::write_float(*out_, f);
  } else {
    detail::write_double(*out_, d);
  }
  return true;
}

// A decimal given as a JSON number: the unscaled value as big-endian two's complement.
bool encode_run::decimal(const node& n, const json_number& num) {
  if (n.precision > 38)
    return fail(errc::wrong_type, "decimals wider than 38 digits must be given as bytes strings");
  __int128 unscaled = 0;
  int digits = 0;
  int64_t frac = 0, exp = 0;
  bool in_frac = false, seen_nonzero = false;
  std::size_t i = 0;
  const auto& t = num.text;
  bool neg = !t.empty() && t[0] == '-';
  if (neg)
    ++i;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c == '.') {
      in_frac = true;
    } else if (c == 'e' || c == 'E') {
      int e = 0;
      auto [ptr, ec] = std::from_chars(t.data() + i + 1 + (t[i + 1] == '+'), t.data() + t.size(), e);
      if (ec != std::errc{})
        return fail(errc::number_out_of_range, "decimal exponent out of range");
      exp = e;
      break;
    } else {
      if (c != '0' || seen_nonzero) {
        seen_nonzero = true;
        if (++digits > 38)
          return fail(errc::number_out_of_range, "decimal " + std::string{t} + " has too many digits");
        unscaled = unscaled * 10 + (c - '0');
      }
      if (in_frac)
        ++frac;
    }
  }
  int64_t shift = n.scale - (frac - exp); // multiply by 10^shift
  if (unscaled == 0)
    shift = 0;
  if (shift < 0) {
    for (; shift < 0; ++shift) {
      if (unscaled % 10 != 0)
        return fail(errc::number_out_of_range,
                    "decimal " + std::string{t} + " has more than " + std::to_string(n.scale) + " fraction digits");
      unscaled /= 10;
      --digits;
    }
  }
  for (; shift > 0; --shift) {
    if (++digits > n.precision)
      break; // checked before multiplying: 38 digits times 10 would overflow 128 bits
    unscaled *= 10;
  }
  if (digits > n.precision)
    return fail(errc::number_out_of_range,
                "decimal " + std::string{t} + " exceeds precision " + std::to_string(n.precision));
  if (neg)
    unscaled = -unscaled;
  char be[16];
  for (int k = 15; k >= 0; --k) {
    be[k] = static_cast<char>(static_cast<unsigned char>(unscaled & 0xff));
    unscaled >>= 8;
  }
  int start = 0; // shortest two's complement
  while (start < 15 && ((be[start] == 0 && !(be[start + 1] & 0x80)) ||
                        (be[start] == static_cast<char>(0xff) && (be[start + 1] & 0x80))))
    ++start;
  std::size_t len = static_cast<std::size_t>(16 - start);
  if (n.kind == type::fixed) {
    if (len > n.size)
      return fail(errc::number_out_of_range, "decimal does not fit fixed " + n.fullname);
    out_->append(n.size - len, neg ? static_cast<char>(0xff) : '\0');
    out_->append(be + start, len);
  } else {
    detail::write_bytes(*out_, be + start, len);
  }
  return true;
}

bool encode_run::text(const node& n, std::string_view s) {
  switch (n.kind) {
    case type::string: {
      char buf[10];
      out_->append(buf, detail::put_long(buf, static_cast<int64_t>(s.size())));
      out_->append(s.data(), s.size());
      return true;
    }
    case type::enum_: {
      int i = n.symbol_index(s);
      if (i < 0)
        return fail(errc::unknown_enum_symbol,
                    "'" + std::string{s.substr(0, 64)} + "' is not a symbol of enum " + n.fullname);
      out_->push_back(static_cast<char>(i * 2)); // symbols < 64 fit one varint byte
      if (i >= 64) {
        out_->pop_back();
        detail::write_long(*out_, i);
      }
      return true;
    }
    case type::bytes:
    case type::fixed: {
      if (!detail::latin1_to_bytes(s, enc_.bytes_tmp_))
        return fail(errc::wrong_type, "bytes are given as a string of code points U+0000..U+00FF");
      const auto& b = enc_.bytes_tmp_;
      if (n.kind == type::fixed) {
        if (b.size() != n.size)
          return fail(errc::wrong_type, "fixed " + n.fullname + " takes " + std::to_string(n.size) +
                                            " bytes, got " + std::to_string(b.size()));
        out_->append(b);
      } else {
        detail::write_bytes(*out_, b.data(), b.size());
      }
      return true;
    }
    default: return fail(errc::wrong_type, std::string{"expected "} + describe(n) + ", got a string");
  }
}
} // namespace freshet::avro::detail
