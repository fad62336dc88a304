#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace freshet::event {

/// One field's value. Nested objects are flattened to dotted paths ("geo.country"); arrays are
/// kept as their JSON text, since no expectation or enrichment looks inside them.
using value = std::variant<std::monostate, bool, int64_t, double, std::string>;

[[nodiscard]] inline bool is_null(const value& v) {
  return std::holds_alternative<std::monostate>(v);
}
/// Numbers as double (int64 widened); nothing for other kinds.
[[nodiscard]] std::optional<double> as_number(const value& v);
/// Text form used for set membership, regexes and lookup keys: strings as they are, numbers and
/// booleans as JSON would print them, null as "".
[[nodiscard]] std::string as_text(const value& v);

/// A decoded event: its fields in order, independent of the wire format (JSON today, Avro with the
/// registry). Stages read and add fields through it and encode it back for their output.
/// Field lookups are linear: events have tens of fields, where a scan beats a hash map.
class record {
 public:
  [[nodiscard]] const value* get(std::string_view path) const;
  /// Replaces the field's value, or appends the field.
  void set(std::string path, value v);
  [[nodiscard]] const std::vector<std::pair<std::string, value>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, value>> fields_;
};

} // namespace freshet::event
