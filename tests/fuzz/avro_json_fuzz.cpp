// libFuzzer target: JSON -> Avro encoding. Byte 0 picks a schema (and the unknown-field policy);
// the rest is JSON. Accepted input must decode back, and our JSON of it must re-encode identically.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/schema.hpp"
#include "tests/fuzz/avro_fuzz_schemas.hpp"

namespace {

using namespace freshet::avro;

struct prepared {
  std::unique_ptr<json_encoder> strict;
  std::unique_ptr<json_encoder> lenient;
  std::unique_ptr<decoder> dec;
};

std::vector<prepared>& encoders() {
  static std::vector<prepared> all = [] {
    std::vector<prepared> v;
    for (const auto& text : fuzz::schemas()) {
      auto s = schema::parse(text);
      if (!s.ok())
        __builtin_trap();
      v.push_back({std::make_unique<json_encoder>(*s),
                   std::make_unique<json_encoder>(*s, encode_options{.unknown_fields = unknown_field_policy::ignore, .max_depth = 16}),
                   std::make_unique<decoder>(*s)});
    }
    return v;
  }();
  return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  auto& all = encoders();
  auto& p = all[(data[0] & 0x7f) % all.size()];
  json_encoder& enc = (data[0] & 0x80) ? *p.lenient : *p.strict;
  std::string_view json{reinterpret_cast<const char*>(data + 1), size - 1};
  std::string out = "prefix";
  auto st = enc.encode(json, out);
  if (!st.ok()) {
    if (out != "prefix" || st.err().message.empty())
      __builtin_trap(); // output untouched, and a reason given
    return 0;
  }
  std::string_view bytes{out.data() + 6, out.size() - 6};
  auto back = p.dec->decode_json(bytes);
  if (!back.ok())
    __builtin_trap(); // we produced bytes our own decoder rejects
  std::string again;
  if (!p.strict->encode(*back, again).ok() || again != bytes)
    __builtin_trap();
  return 0;
}
