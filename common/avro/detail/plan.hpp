#pragma once

// A resolution plan: how to read data written with one schema node as another (the spec's
// "Schema Resolution"), compiled once per (writer, reader) pair. Plans form a graph (cycles for
// recursive types) owned by `plan_store`.

#include <memory>
#include <string>
#include <vector>

#include "common/avro/schema.hpp"

namespace freshet::avro::detail {

enum class op : uint8_t {
  same,          ///< identical primitive/fixed kinds: read as the writer wrote
  int_to_long, int_to_float, int_to_double, long_to_float, long_to_double, float_to_double,
  string_to_bytes, bytes_to_string,
  record, enum_, array, map,
  writer_union,  ///< read the writer's branch index, then that branch's plan
  reader_union,  ///< writer is not a union: the value becomes reader branch `reader_branch`
  unreadable,    ///< no plan (a failed pair reached through a cycle): decoding it is an error
};

struct plan {
  op code = op::same;
  const node* writer = nullptr;
  const node* reader = nullptr;

  struct field_step {
    int reader_field = -1; ///< -1: writer field the reader lacks, skipped
    const plan* sub = nullptr;
    const node* writer_type = nullptr;
  };
  std::vector<field_step> fields;  ///< record: one per writer field, in writer order
  std::vector<int> defaulted;      ///< record: reader fields filled from their defaults
  std::vector<const plan*> default_plans; ///< record: identity plans decoding those defaults
  std::vector<int> enum_map;       ///< enum: writer symbol -> reader symbol, -1 unresolvable
  const plan* items = nullptr;     ///< array items, map values
  std::vector<const plan*> branches; ///< writer_union: per writer branch, nullptr unresolvable
  int reader_branch = -1;          ///< reader_union
  const plan* inner = nullptr;     ///< reader_union
  bool failed = false;
  std::string why;                 ///< for failed plans
};

struct plan_store {
  std::vector<std::unique_ptr<plan>> plans;
  const plan* root = nullptr;
};

/// Builds the plan reading `writer` data as `reader`; on failure returns nullptr and sets `why`.
const plan* build_plan(plan_store& store, const node& writer, const node& reader, std::string& why);

} // namespace freshet::avro::detail
