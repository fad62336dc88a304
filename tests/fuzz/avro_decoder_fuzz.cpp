// libFuzzer target: Avro binary decoding, with and without resolution, and schema parsing.
// Byte 0 picks a schema (or, when >= 0xf0, parses the rest as schema text); the rest is the payload.
// Any crash, sanitizer report or unbounded allocation is a bug: errors must come back as values.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/avro/decoder.hpp"
#include "common/avro/json_encoder.hpp"
#include "common/avro/schema.hpp"
#include "tests/fuzz/avro_fuzz_schemas.hpp"

namespace {

using namespace freshet::avro;

struct prepared {
  std::unique_ptr<decoder> same;
  std::unique_ptr<decoder> resolving;
};

const std::vector<prepared>& decoders() {
  static const std::vector<prepared> all = [] {
    std::vector<prepared> v;
    for (std::size_t i = 0; i < fuzz::schemas().size(); ++i) {
      auto w = schema::parse(fuzz::schemas()[i]);
      auto r = schema::parse(fuzz::readers()[i]);
      if (!w.ok() || !r.ok())
        __builtin_trap();
      // A lower item limit than the default keeps runs fast; the limit logic is the same.
      decode_options o{.max_depth = 128, .max_items = std::size_t{1} << 16};
      auto res = decoder::resolving(*w, *r, o);
      if (!res.ok())
        __builtin_trap();
      v.push_back({std::make_unique<decoder>(*w, o), std::make_unique<decoder>(std::move(*res))});
    }
    return v;
  }();
  return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::string_view payload{reinterpret_cast<const char*>(data + 1), size - 1};
  if (data[0] >= 0xf0) {
    auto s = schema::parse(payload);
    if (s.ok()) {
      // A schema that parses must give a canonical form that parses to the same identity.
      auto again = schema::parse(s->canonical_form());
      if (!again.ok() || again->fingerprint() != s->fingerprint())
        __builtin_trap();
      decoder d{*s};
      (void)d.decode(payload);
      json_encoder enc{*s};
      std::string out;
      (void)enc.encode(payload, out);
    }
    return 0;
  }
  const auto& all = decoders();
  const auto& p = all[data[0] % all.size()];
  auto v = p.same->decode(payload);
  auto chk = p.same->check(payload);
  if (v.ok() != chk.ok())
    __builtin_trap(); // the validating skip and the full decode must agree
  if (v.ok()) {
    auto j = p.same->decode_json(payload);
    if (!j.ok())
      __builtin_trap();
    // What we print as Avro JSON must encode back to a datum that prints the same (bytes may
    // differ: input may use non-minimal varints or several blocks, we write canonical ones).
    json_encoder enc{p.same->writer(), encode_options{.allow_negative_timestamps = true}};
    std::string again;
    if (!enc.encode(*j, again).ok())
      __builtin_trap();
    auto j2 = p.same->decode_json(again);
    if (!j2.ok() || *j2 != *j)
      __builtin_trap();
  }
  (void)p.resolving->decode_json(payload);
  return 0;
}
