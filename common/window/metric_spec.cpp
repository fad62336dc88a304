#include "common/window/metric_spec.hpp"

#include <algorithm>

#include "common/window/bytes.hpp"
#include "common/window/errc.hpp"
#include "common/window/hash.hpp"

namespace freshet::window {

const char* to_string(window_kind k) {
  switch (k) {
    case window_kind::tumbling: return "tumbling";
    case window_kind::hopping: return "hopping";
    case window_kind::session: return "session";
  }
  return "unknown";
}

std::vector<std::string> metric_spec::input_fields() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end())
      out.push_back(f);
  };
  for (const auto& f : filter_fields)
    add(f);
  for (const auto& a : aggregations)
    add(a.field);
  return out;
}

status validate(const metric_spec& spec) {
  auto bad = [&](errc e, const std::string& why) {
    return make_window_error(e, "metric '" + spec.name + "': " + why);
  };
  if (spec.name.empty())
    return bad(errc::invalid_spec, "name is empty");
  if (spec.aggregations.empty())
    return bad(errc::invalid_spec, "no aggregations");
  if (spec.allowed_lateness_ms < 0 || spec.out_of_orderness_ms < 0 || spec.idle_timeout_ms < 0 ||
      spec.emit.early_every_ms < 0)
    return bad(errc::invalid_spec, "lateness, out-of-orderness, idle timeout and early interval must be >= 0");
  if (!spec.filter_fields.empty() && !spec.filter)
    return bad(errc::invalid_spec, "filter fields without a filter");
  const auto& w = spec.window;
  switch (w.kind) {
    case window_kind::tumbling:
      if (w.size_ms <= 0)
        return bad(errc::invalid_window, "tumbling window needs size_ms > 0");
      break;
    case window_kind::hopping:
      if (w.size_ms <= 0 || w.hop_ms <= 0 || w.hop_ms > w.size_ms)
        return bad(errc::invalid_window, "hopping window needs 0 < hop_ms <= size_ms");
      if (w.size_ms / w.hop_ms > 1000)
        return bad(errc::invalid_window, "hopping window puts more than 1000 windows on each event");
      break;
    case window_kind::session:
      if (w.gap_ms <= 0)
        return bad(errc::invalid_window, "session window needs gap_ms > 0");
      break;
    default:
      return bad(errc::invalid_window, "unknown window kind");
  }
  std::vector<std::string> outputs;
  for (const auto& a : spec.aggregations) {
    FRESHET_TRY(validate(a));
    if (std::find(outputs.begin(), outputs.end(), a.output) != outputs.end())
      return bad(errc::invalid_aggregation, "output '" + a.output + "' appears twice");
    outputs.push_back(a.output);
  }
  return {};
}

uint64_t state_fingerprint(const metric_spec& spec) {
  std::string b;
  byte_writer w(b);
  w.bytes(spec.name);
  w.bytes(spec.filter_text);
  w.varint(spec.group_by.size());
  for (const auto& g : spec.group_by)
    w.bytes(g);
  w.u8(static_cast<uint8_t>(spec.window.kind));
  w.svarint(spec.window.size_ms);
  w.svarint(spec.window.hop_ms);
  w.svarint(spec.window.gap_ms);
  w.svarint(spec.window.offset_ms);
  w.svarint(spec.allowed_lateness_ms);
  w.svarint(spec.out_of_orderness_ms);
  w.varint(spec.aggregations.size());
  for (const auto& a : spec.aggregations) {
    w.bytes(a.output);
    w.u8(static_cast<uint8_t>(a.kind));
    w.bytes(a.field);
    w.svarint(a.hll_precision);
    w.f64(a.relative_accuracy);
    w.varint(a.max_bins);
    w.varint(a.k);
    w.varint(a.effective_capacity());
    w.varint(a.quantiles.size());
    for (double q : a.quantiles)
      w.f64(q);
  }
  return stable_hash(b);
}

} // namespace freshet::window
