#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"
#include "common/base/strong_types.hpp"

namespace freshet::avro {

namespace detail {
class encode_run;
}

/// What to do with a JSON member the record schema does not declare.
enum class unknown_field_policy {
  reject, ///< `errc::unknown_field` (default: a typo must not silently drop data)
  ignore, ///< skip it (still checked to be well-formed JSON)
};

struct encode_options {
  unknown_field_policy unknown_fields = unknown_field_policy::reject;
  /// Deepest JSON nesting accepted (objects and arrays); deeper input is `errc::too_deep`.
  int max_depth = 64;
  /// timestamp-millis/micros before 1970 are valid Avro but, at ingest, almost always a bug
  /// (seconds sent as negative offsets, sign errors): rejected as `errc::bad_timestamp` unless set.
  bool allow_negative_timestamps = false;
};

/// Encodes JSON text straight to Avro binary, driven by a schema, in one pass with no DOM.
///
/// Accepts JSON members in any order (out-of-order ones go through a per-depth scratch buffer),
/// fills absent fields from their defaults, takes union values bare (`"x"`, `null`) or in Avro JSON
/// form (`{"string": "x"}`, `{"ns.Rec": {...}}`), and bytes/fixed as strings of code points
/// U+0000..U+00FF; decimals also as JSON numbers. Rejections carry an `errc` (`reason_of`) and a
/// message naming the JSON path (`$.items[2].price`).
///
/// Threading: an encoder keeps scratch buffers; use one per thread (they are cheap to construct).
class json_encoder {
 public:
  explicit json_encoder(schema s, encode_options opts = {});

  /// Appends the Avro binary of `json` to `out`; on error `out` is left as it was.
  [[nodiscard]] status encode(std::string_view json, std::string& out);
  /// Appends the Confluent frame (magic 0, big-endian id) and the Avro binary of `json`.
  [[nodiscard]] status encode_framed(schema_id id, std::string_view json, std::string& out);

  [[nodiscard]] const avro::schema& encoding_schema() const { return schema_; }

 private:
  avro::schema schema_;
  encode_options opts_;
  struct scratch {
    std::string buf;
    std::vector<uint32_t> start;
    std::vector<uint32_t> len;
    std::vector<uint8_t> seen;
  };
  std::vector<scratch> scratch_;
  std::string bytes_tmp_;
  friend class detail::encode_run;
};

} // namespace freshet::avro
