#pragma once

#include <cstddef>
#include <cstdint>

#include "common/base/result.hpp"
#include "common/parquet/schema.hpp"
#include "common/parquet/value.hpp"

/// Dremel shredding: a row of nested values becomes, per leaf column, a sequence of (repetition
/// level, definition level, value-or-null) triples.
namespace freshet::parquet {

/// Receives the triples; `v` is null when `def` is below the column's maximum.
class level_sink {
 public:
  virtual ~level_sink() = default;
  virtual void add(size_t column, int16_t rep, int16_t def, const value* v) = 0;
};

/// Checks that `r` fits `s` (arity, kinds, nullability); `errc::schema_mismatch` names the field.
/// The writer validates before shredding so that a bad row leaves no half-written levels behind.
[[nodiscard]] status validate_row(const schema& s, const row& r);

/// Shreds a row that `validate_row` accepted.
void shred_row(const schema& s, const row& r, level_sink& sink);

} // namespace freshet::parquet
