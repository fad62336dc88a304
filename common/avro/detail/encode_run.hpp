#pragma once

// The state of one JSON -> Avro encode call, shared by json_encoder.cpp (records, containers),
// json_encode_scalars.cpp and json_encode_unions.cpp.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/avro/detail/json_scanner.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/base/result.hpp"

namespace freshet::avro::detail {

/// One encode call: the scanner, the current output (the caller's string or a scratch buffer for an
/// out-of-order field) and the error path, built back to front while unwinding.
class encode_run {
 public:
  encode_run(json_encoder& enc, std::string_view json, std::string& out) : enc_(enc), out_(&out) {
    sc_.p = json.data();
    sc_.end = json.data() + json.size();
  }
  status run(const node& root);

 private:
  json_encoder& enc_;
  std::string* out_;
  json_scanner sc_;
  std::string path_; // built back to front while unwinding

  bool fail(errc code, std::string msg) { return sc_.fail(code, std::move(msg)); }
  void in_field(std::string_view name) { path_.insert(0, "." + std::string{name}); }
  void in_index(std::size_t i) { path_.insert(0, "[" + std::to_string(i) + "]"); }
  struct saved_error {
    errc code{};
    std::string message;
    std::string path;
  } first_error_; // union_object: the first bare attempt's error

  status failure();
  static const char* json_kind(char c);
  bool wrong(const node& n, char c);
  static std::string describe(const node& n);
  bool value(const node& n, int depth);
  // --- scalars -------------------------------------------------------------------------------
  bool fits(const node& n, const json_number& num) const;
  bool number(const node& n, const json_number& num);
  // "NaN", "Infinity" and "-Infinity": how Avro JSON (and our decoder) spell what JSON numbers cannot.
  static bool special_name(std::string_view s, double& d);
  bool special_real(const node& n);
  bool write_real(const node& n, double d);
  // A decimal given as a JSON number: the unscaled value as big-endian two's complement.
  bool decimal(const node& n, const json_number& num);
  bool text(const node& n, std::string_view s);
  // --- containers -----------------------------------------------------------------------------
  bool deeper(int depth);
  bool record(const node& n, int depth);
  // Writes the item count in front of the items once it is known (one block, then the 0 end marker).
  void close_block(std::size_t start, int64_t count);
  bool array(const node& n, int depth);
  bool map(const node& n, int depth);
  // --- unions ---------------------------------------------------------------------------------
  void branch_index(std::size_t i);
  static bool names_branch(const node& b, std::string_view key);
  bool union_value(const node& n, char c, int depth);
  // An object for a union: {"branch": value} (Avro JSON), else a bare record or map.
  bool union_object(const node& n, int depth);
};

} // namespace freshet::avro::detail
