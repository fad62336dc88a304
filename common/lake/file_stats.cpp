#include "common/lake/file_stats.hpp"

#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/base/clock.hpp"
#include "common/parquet/statistics.hpp"

namespace freshet::lake {

namespace {

using parquet::type_kind;
using parquet::value;

/// Min/max/nulls of one leaf column over the file's row groups.
struct column_acc {
  std::optional<value> min, max;
  int64_t nulls = 0;
  bool nulls_known = true;
  bool bounds_valid = true;
};

bool less(const value& a, const value& b) {
  switch (a.type()) {
    case value::kind::int32: return a.as_int32() < b.as_int32();
    case value::kind::int64: return a.as_int64() < b.as_int64();
    case value::kind::float32: return a.as_float() < b.as_float();
    case value::kind::float64: return a.as_double() < b.as_double();
    case value::kind::bytes: return a.as_bytes() < b.as_bytes();
    case value::kind::boolean: return !a.as_bool() && b.as_bool();
    default: return false;
  }
}

/// Byte length of the first `n` UTF-8 code points of `s` (all of it when shorter).
size_t prefix_bytes(const std::string& s, size_t n) {
  size_t i = 0, points = 0;
  while (i < s.size() && points < n) {
    auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++points;
  }
  return std::min(i, s.size());
}

std::optional<nlohmann::json> bound(const value& v, type_kind kind, bool is_max, const stats_options& o) {
  switch (kind) {
    case type_kind::int32: return nlohmann::json(v.as_int32());
    case type_kind::int64: return nlohmann::json(v.as_int64());
    case type_kind::float32:
    case type_kind::float64: {
      double d = kind == type_kind::float32 ? v.as_float() : v.as_double();
      if (!std::isfinite(d))
        return std::nullopt;
      return nlohmann::json(d == 0 ? 0.0 : d); // Parquet's signed zero bound reads as plain 0
    }
    case type_kind::date: return nlohmann::json(format_date(v.as_int32()));
    case type_kind::timestamp_us: {
      int64_t us = v.as_int64();
      int64_t ms = us / 1000 - (us % 1000 < 0 ? 1 : 0);
      return nlohmann::json(format_utc_ms(ms));
    }
    case type_kind::string: {
      const auto& s = v.as_bytes();
      size_t cut = prefix_bytes(s, o.string_prefix);
      if (cut == s.size())
        return nlohmann::json(s);
      if (!is_max)
        return nlohmann::json(s.substr(0, cut));
      std::string hi = s.substr(0, cut) + "\xF4\x8F\xBF\xBF"; // U+10FFFF: above any continuation
      if (!(s < hi))
        return std::nullopt;
      return nlohmann::json(hi);
    }
    default: return std::nullopt;
  }
}

/// Sets `root[path...]` = v, creating nested objects.
void put(nlohmann::json& root, const std::vector<std::string>& path, nlohmann::json v) {
  nlohmann::json* node = &root;
  for (size_t i = 0; i + 1 < path.size(); ++i)
    node = &(*node)[path[i]];
  (*node)[path.back()] = std::move(v);
}

} // namespace

std::string file_stats_json(const parquet::schema& s, const parquet::file_meta_data& meta, const stats_options& o) {
  const auto& columns = s.columns();
  std::vector<column_acc> acc(columns.size());
  for (const auto& rg : meta.row_groups) {
    for (size_t c = 0; c < columns.size() && c < rg.columns.size(); ++c) {
      auto& a = acc[c];
      const auto& md = rg.columns[c].meta_data;
      if (!md || !md->stats) {
        a.nulls_known = false;
        a.bounds_valid = false;
        continue;
      }
      std::optional<parquet::column_order> order;
      if (meta.column_orders && c < meta.column_orders->size())
        order = (*meta.column_orders)[c];
      auto st = parquet::decode_statistics(columns[c], *md->stats, order);
      if (st.null_count)
        a.nulls += *st.null_count;
      else
        a.nulls_known = false;
      const bool has_values = !st.null_count || *st.null_count < md->num_values;
      if (st.nan_count && *st.nan_count > 0)
        a.bounds_valid = false;
      if (!has_values)
        continue;
      if (!st.min || !st.max) {
        a.bounds_valid = false;
        continue;
      }
      if (!a.min || less(*st.min, *a.min))
        a.min = st.min;
      if (!a.max || less(*a.max, *st.max))
        a.max = st.max;
    }
  }
  nlohmann::json out{{"numRecords", meta.num_rows}};
  nlohmann::json mins = nlohmann::json::object(), maxs = nlohmann::json::object(), nulls = nlohmann::json::object();
  for (size_t c = 0; c < columns.size(); ++c) {
    const auto& col = columns[c];
    if (col.max_rep > 0)
      continue; // inside a list or map: no per-column stats in Delta
    const auto& a = acc[c];
    if (a.nulls_known)
      put(nulls, col.path, a.nulls);
    if (!a.bounds_valid || !a.min || !a.max)
      continue;
    auto lo = bound(*a.min, col.kind, false, o);
    auto hi = bound(*a.max, col.kind, true, o);
    if (lo && hi) {
      put(mins, col.path, std::move(*lo));
      put(maxs, col.path, std::move(*hi));
    }
  }
  out["minValues"] = std::move(mins);
  out["maxValues"] = std::move(maxs);
  out["nullCount"] = std::move(nulls);
  return out.dump();
}

std::string format_date(int32_t days) {
  // Howard Hinnant's civil_from_days.
  int64_t z = static_cast<int64_t>(days) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2)
    ++y;
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

std::optional<int32_t> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  std::string t{text};
  if (std::sscanf(t.c_str(), "%d-%d-%d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  // days_from_civil
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe - 719468);
}

int32_t utc_day(int64_t ms) {
  int64_t days = ms / 86'400'000;
  if (ms % 86'400'000 < 0)
    --days;
  return static_cast<int32_t>(days);
}

} // namespace freshet::lake
