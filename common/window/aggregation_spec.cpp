#include "common/window/aggregation_spec.hpp"

#include <algorithm>
#include <string>

#include "common/window/errc.hpp"
#include "common/window/hyperloglog.hpp"

namespace freshet::window {

const char* to_string(agg_kind k) {
  switch (k) {
    case agg_kind::count: return "count";
    case agg_kind::sum: return "sum";
    case agg_kind::min: return "min";
    case agg_kind::max: return "max";
    case agg_kind::avg: return "avg";
    case agg_kind::count_distinct: return "count_distinct";
    case agg_kind::quantiles: return "quantiles";
    case agg_kind::top_k: return "top_k";
  }
  return "unknown";
}

std::optional<agg_kind> agg_kind_from_string(std::string_view s) {
  for (int i = 1; i <= 8; ++i) {
    auto k = static_cast<agg_kind>(i);
    if (s == to_string(k))
      return k;
  }
  return std::nullopt;
}

uint32_t aggregation_spec::effective_capacity() const {
  if (capacity != 0)
    return capacity;
  return std::max<uint32_t>(100, k * 10);
}

status validate(const aggregation_spec& a) {
  auto bad = [&](const std::string& why) {
    return make_window_error(errc::invalid_aggregation, "aggregation '" + a.output + "': " + why);
  };
  if (a.output.empty())
    return bad("output name is empty");
  if (!agg_kind_from_string(to_string(a.kind)))
    return bad("unknown kind");
  if (a.field.empty() && a.kind != agg_kind::count)
    return bad(std::string(to_string(a.kind)) + " needs a field");
  switch (a.kind) {
    case agg_kind::count_distinct:
      if (a.hll_precision < hyperloglog::min_precision || a.hll_precision > hyperloglog::max_precision)
        return bad("hll_precision must be within 4..18");
      break;
    case agg_kind::quantiles:
      if (!(a.relative_accuracy >= 1e-4 && a.relative_accuracy <= 0.25))
        return bad("relative_accuracy must be within 0.0001..0.25");
      if (a.max_bins < 16 || a.max_bins > 65536)
        return bad("max_bins must be within 16..65536");
      if (a.quantiles.empty())
        return bad("no quantiles listed");
      for (double q : a.quantiles)
        if (!(q >= 0 && q <= 1))
          return bad("quantiles must be within [0, 1]");
      break;
    case agg_kind::top_k:
      if (a.k == 0 || a.k > 10000)
        return bad("k must be within 1..10000");
      if (a.effective_capacity() < a.k || a.effective_capacity() > 1'000'000)
        return bad("capacity must be within k..1000000");
      break;
    default:
      break;
  }
  return {};
}

} // namespace freshet::window
