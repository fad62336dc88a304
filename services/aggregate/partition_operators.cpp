#include "services/aggregate/partition_operators.hpp"

#include "common/log/logger.hpp"

namespace freshet::aggregate {

std::string state_prefix(std::string_view metric) {
  std::string p{metric};
  p += '\x1f';
  return p;
}

std::string outbox_key(std::string_view rollup_key) {
  std::string k{outbox_prefix};
  k += rollup_key;
  return k;
}

namespace {

result<std::unique_ptr<window::window_operator>> make_operator(const metric_plan& plan, const bool* verdict) {
  auto spec = plan.spec;
  spec.filter = [verdict](const window::field_row&) { return *verdict; };
  return window::window_operator::create(std::move(spec), {.track_changes = true});
}

} // namespace

result<rebuild_report> rebuild(partition_operators& p, std::span<const metric_plan> plans, stream::stage_state& state,
                               int64_t now_ms) {
  rebuild_report report;
  p.slots.clear();
  p.outbox.clear();
  p.slots.resize(plans.size());
  std::map<std::string, size_t, std::less<>> by_name;
  for (size_t i = 0; i < plans.size(); ++i)
    by_name.emplace(plans[i].decl.name, i);

  // One pass over the partition's state: operator records by metric, the outbox, and leftovers of
  // metrics no longer declared (erased with the next commit).
  std::vector<std::vector<window::state_record>> records(plans.size());
  std::vector<std::string> orphans;
  FRESHET_TRY(state.scan(p.tp, "", [&](std::string_view k, std::string_view v) {
    ++report.records;
    if (k.starts_with(outbox_prefix)) {
      report.outbox.emplace_back(std::string{k}, std::string{v});
      return true;
    }
    auto sep = k.find('\x1f');
    auto it = sep == std::string_view::npos ? by_name.end() : by_name.find(k.substr(0, sep));
    if (it == by_name.end())
      orphans.emplace_back(k);
    else
      records[it->second].push_back({std::string{k.substr(sep + 1)}, std::string{v}});
    return true;
  }));
  for (const auto& k : orphans)
    state.erase(p.tp, k);

  const partition_id part{p.tp.partition};
  for (size_t i = 0; i < plans.size(); ++i) {
    auto& slot = p.slots[i];
    auto op = make_operator(plans[i], slot.verdict.get());
    if (!op)
      return op.err();
    slot.op = std::move(*op);
    if (!records[i].empty()) {
      if (auto st = slot.op->restore(records[i]); !st.ok()) {
        FRESHET_LOG(warn, log::get("aggregate"),
                    "state of metric {} on {}[{}] does not fit its definition ({}): starting it empty",
                    plans[i].decl.name, p.tp.topic, p.tp.partition, st.err().describe());
        const auto prefix = state_prefix(plans[i].decl.name);
        for (const auto& r : records[i])
          state.erase(p.tp, prefix + r.key);
        report.resets.push_back(plans[i].decl.name);
        auto fresh = make_operator(plans[i], slot.verdict.get());
        if (!fresh)
          return fresh.err();
        slot.op = std::move(*fresh);
      }
    }
    slot.reported = slot.op->stats();
    slot.last_event_ms = now_ms;
    slot.op->assign(std::span<const partition_id>(&part, 1), now_ms, slot.out);
  }
  return report;
}

} // namespace freshet::aggregate
