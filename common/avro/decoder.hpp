#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/avro/schema.hpp"
#include "common/avro/value.hpp"
#include "common/base/result.hpp"

namespace freshet::avro {

namespace detail {
struct plan_store;
}

/// Limits that keep hostile input from costing more than its size.
struct decode_options {
  /// Deepest nesting of records/arrays/maps/unions in the data (recursive schemas).
  int max_depth = 128;
  /// Most array items + map entries in one datum (items of size 0, e.g. null, cost no input bytes).
  std::size_t max_items = std::size_t{1} << 20;
};

/// Decodes Avro binary written with a writer schema into values shaped by a reader schema,
/// resolving between them per the Avro spec (promotions, fields by name/alias, reader defaults,
/// enum defaults, unions on either side). Every length and count is checked against the bytes left
/// before anything is allocated: truncated or garbage input is an error, never a crash.
///
/// Immutable after construction: one decoder may be shared by threads.
class decoder {
 public:
  /// Reads data written with `s` as `s`.
  explicit decoder(schema s, decode_options opts = {});
  /// Reads data written with `writer` as `reader`; `errc::incompatible_schemas` when no datum of the
  /// writer could be read. (Data-dependent failures, such as a writer union branch or enum symbol the
  /// reader lacks, are `errc::unresolvable` at decode time, as in the spec.)
  [[nodiscard]] static result<decoder> resolving(schema writer, schema reader, decode_options opts = {});

  /// The datum in `avro` (all of it: leftover bytes are `errc::trailing_bytes`).
  [[nodiscard]] result<value> decode(std::string_view avro) const;
  /// The datum as Avro JSON text (for DLQ and debugging tools).
  [[nodiscard]] result<std::string> decode_json(std::string_view avro, union_style style = union_style::wrapped) const;
  /// Checks that `avro` is one well-formed datum of the writer schema, building nothing.
  [[nodiscard]] status check(std::string_view avro) const;

  [[nodiscard]] const schema& writer() const { return writer_; }
  [[nodiscard]] const schema& reader() const { return reader_; }

 private:
  decoder(schema writer, schema reader, decode_options opts);
  schema writer_;
  schema reader_;
  decode_options opts_;
  std::shared_ptr<detail::plan_store> plans_;
  std::string plan_error_;
};

} // namespace freshet::avro
