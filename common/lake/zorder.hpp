#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/parquet/value.hpp"

/// Z-ordering (a Morton curve over several columns): rows sorted by the interleaved bits of their
/// columns' keys land close together when they are close in every one of the columns, so each data
/// file then covers a small box in each column, and the files' min/max statistics let a reader skip
/// most files for a predicate on any of them (not just on the first sort column).
namespace freshet::lake {

/// A key that sorts like the value: integers (int32/int64, so dates and timestamps) with the sign bit
/// flipped, doubles by their IEEE bits (negatives inverted), strings and binaries by their first 8
/// bytes big-endian, booleans 0/1. Null is 0 (nulls first). Lists, maps and structs are not orderable: 0.
[[nodiscard]] uint64_t order_key(const parquet::value& v);

/// The z-value of `keys` (one per column, each already scaled to `bits` significant low bits):
/// bit i of every key, most significant first, column 0 first within each bit. `bits` * keys must
/// not pass 64.
[[nodiscard]] uint64_t interleave_bits(const std::vector<uint64_t>& keys, unsigned bits);

/// Bits per column when `columns` columns share a 64-bit z-value (at most 32, so ranks fit).
[[nodiscard]] unsigned zorder_bits(size_t columns);

/// The order that sorts `rows` by z-value over the given columns (indexes into each row). Each
/// column's keys are first replaced by their rank among the column's distinct keys, scaled to
/// `zorder_bits` bits, so columns of very different ranges weigh alike (what Delta's range ids do).
/// Stable: rows with equal z-values keep their order.
[[nodiscard]] std::vector<size_t> zorder_permutation(const std::vector<parquet::row>& rows,
                                                     const std::vector<size_t>& columns);

} // namespace freshet::lake
