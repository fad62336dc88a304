// libFuzzer target: common/lake's reading of the Delta transaction log, which other writers (Spark,
// delta-rs) produce too. Arbitrary bytes as a commit file must end in actions or an error; what was
// read must survive our own writing and reading again unchanged, and so must every table schema
// found in it. The data file path encoding must round-trip any bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/lake/actions.hpp"
#include "common/lake/delta_schema.hpp"

namespace {

using namespace freshet::lake;

void check_schema(const std::string& text) {
  auto schema = parse_schema_string(text);
  if (!schema.ok())
    return;
  auto again = parse_schema_string(to_schema_string(*schema));
  if (!again.ok() || !(*again == *schema))
    __builtin_trap(); // a schema we read and wrote does not read back the same
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (decode_path(encode_path(text)) != text)
    __builtin_trap();
  auto actions = parse_commit(text);
  if (!actions.ok())
    return 0;
  for (const auto& a : *actions) {
    if (const auto* m = std::get_if<metadata_action>(&a))
      check_schema(m->schema_string);
    if (std::holds_alternative<commit_info>(a))
      continue; // free-form: only the fields this library knows are kept
    auto back = parse_action(to_json_line(a));
    if (!back.ok() || !back->has_value() || !(**back == a))
      __builtin_trap(); // an action we read and wrote does not read back the same
  }
  return 0;
}
