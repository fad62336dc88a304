#include <limits>

#include <nlohmann/json.hpp>

#include "freshet/v1/rollup.pb.h"
#include "services/compaction/routing.hpp"

namespace freshet::compaction {

namespace {

const char* kind_name(v1::RollupKind k) {
  switch (k) {
    case v1::ROLLUP_KIND_EARLY: return "early";
    case v1::ROLLUP_KIND_FINAL: return "final";
    case v1::ROLLUP_KIND_LATE: return "late";
    default: return "unspecified";
  }
}

/// Timestamps are microseconds in the table: a millisecond value beyond ±2^63/1000 (the engine's
/// `no_watermark` = INT64_MIN before any event, `end_of_time` = INT64_MAX once a bounded input is
/// over) has no timestamp; the column stays null and `_extra` keeps the number.
bool fits_timestamp(int64_t ms) {
  constexpr int64_t limit = std::numeric_limits<int64_t>::max() / 1000;
  return ms > -limit && ms < limit;
}

std::string quantile_key(const std::string& name, double q) {
  auto text = nlohmann::json(q).dump();
  return name + "@" + text;
}

class protobuf_decoder final : public rollup_decoder {
 public:
  explicit protobuf_decoder(std::map<std::string, std::vector<std::string>> group_by) : group_by_(std::move(group_by)) {}

  result<rollup_record> decode(const kafka::consumed_record& r) override {
    v1::Rollup msg;
    if (r.tombstone || !msg.ParseFromString(r.value))
      return make_error(error_domain::decode, 4, "not a freshet.v1.Rollup");
    if (msg.metric().empty())
      return make_error(error_domain::decode, 4, "a rollup without a metric");
    rollup_record out;
    out.metric = msg.metric();
    out.window_start_ms = msg.window_start_ms();
    auto& f = out.fields;
    f.set("window_start", msg.window_start_ms());
    f.set("window_end", msg.window_end_ms());
    const auto names = group_by_.find(msg.metric());
    for (int i = 0; i < msg.dims_size(); ++i) {
      const bool named = names != group_by_.end() && i < static_cast<int>(names->second.size());
      f.set("dimensions." + (named ? names->second[static_cast<size_t>(i)] : "dim" + std::to_string(i)), msg.dims(i));
    }
    for (const auto& v : msg.values()) {
      switch (v.value_case()) {
        case v1::AggregateValue::kIntValue: f.set("measures." + v.name(), v.int_value()); break;
        case v1::AggregateValue::kRealValue: f.set("measures." + v.name(), v.real_value()); break;
        case v1::AggregateValue::kQuantiles:
          for (const auto& q : v.quantiles().values())
            f.set("measures." + quantile_key(v.name(), q.q()), q.value());
          break;
        case v1::AggregateValue::kTopK: {
          nlohmann::json entries = nlohmann::json::array();
          for (const auto& e : v.top_k().entries())
            entries.push_back({{"item", e.item()}, {"count", e.count()}, {"error", e.error()}});
          f.set("top_k." + v.name(), entries.dump());
          break;
        }
        default: break; // no input yet
      }
    }
    f.set("revision", static_cast<int64_t>(msg.revision()));
    f.set("kind", std::string{kind_name(msg.kind())});
    f.set("source_partition", static_cast<int64_t>(msg.source_partition()));
    if (msg.watermark_ms() != 0)
      f.set(fits_timestamp(msg.watermark_ms()) ? "watermark" : "watermark_ms", msg.watermark_ms());
    if (msg.emitted_at_ms() != 0)
      f.set(fits_timestamp(msg.emitted_at_ms()) ? "emitted_at" : "emitted_at_ms", msg.emitted_at_ms());
    if (!msg.pipeline().empty())
      f.set("pipeline", msg.pipeline());
    if (msg.replaces_size() > 0) {
      nlohmann::json replaces = nlohmann::json::array();
      for (const auto& b : msg.replaces())
        replaces.push_back({b.start_ms(), b.end_ms()});
      f.set("replaces", replaces.dump());
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<std::string>> group_by_;
};

} // namespace

std::unique_ptr<rollup_decoder> protobuf_rollup_decoder(std::map<std::string, std::vector<std::string>> group_by) {
  return std::make_unique<protobuf_decoder>(std::move(group_by));
}

} // namespace freshet::compaction
