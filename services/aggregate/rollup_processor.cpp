#include "services/aggregate/rollup_processor.hpp"

#include <algorithm>
#include <limits>

#include "common/base/clock.hpp"
#include "common/event/json_codec.hpp"
#include "common/log/logger.hpp"
#include "common/serving/rollup_codec.hpp"
#include "services/aggregate/event_view.hpp"

namespace freshet::aggregate {

namespace {

/// Header names on records of the late topic, besides the platform's rejection headers.
constexpr const char* metric_header = "freshet.metric";
constexpr const char* window_start_header = "freshet.window_start";
constexpr const char* window_end_header = "freshet.window_end";
constexpr const char* windows_header = "freshet.windows";
constexpr const char* event_time_header = "freshet.event_time";
constexpr const char* watermark_header = "freshet.watermark";

void add_source_headers(const kafka::consumed_record& rec, kafka::outgoing_record& r) {
  r.headers.push_back({kafka::headers::stage, "aggregate"});
  r.headers.push_back({kafka::headers::source_topic, rec.topic});
  r.headers.push_back({kafka::headers::source_partition, std::to_string(rec.partition)});
  r.headers.push_back({kafka::headers::source_offset, std::to_string(rec.offset)});
}

} // namespace

rollup_processor::rollup_processor(std::vector<metric_plan> plans, processor_options opts, serving_sink& sink,
                                   aggregate_probe* probe)
    : plans_(std::move(plans)),
      opts_(std::move(opts)),
      probe_(probe),
      writer_(sink, probe, opts_.serving_backlog_limit, opts_.clock ? opts_.clock : std::function<int64_t()>{now_ms}) {
  if (!opts_.clock)
    opts_.clock = now_ms;
  if (!opts_.decode)
    opts_.decode = [](const kafka::consumed_record& r) { return event::decode_json(r.value); };
}

const partition_operators* rollup_processor::partition(int32_t p) const {
  auto it = parts_.find(kafka::topic_partition{opts_.input_topic, p});
  return it == parts_.end() ? nullptr : &it->second;
}

result<std::vector<kafka::outgoing_record>> rollup_processor::process(const std::vector<kafka::consumed_record>& batch,
                                                                      stream::stage_state& state) {
  const int64_t now = opts_.clock();
  std::vector<kafka::outgoing_record> out;
  FRESHET_TRY(refresh(state, now));
  if (writer_.take_overflow())
    requeue_outbox(state);
  take_served();
  for (const auto& rec : batch) {
    auto p = held(rec, state, now);
    if (!p)
      return p.err();
    apply(rec, **p, now, out);
  }
  for (auto& [tp, p] : parts_)
    for (auto& slot : p.slots)
      slot.op->on_tick(now, slot.out);
  advance_idle(now);
  for (auto& [tp, p] : parts_)
    drain(p, state, now, out);
  erase_served(state);
  writer_.flush(); // what failed before
  report(now);
  return out;
}

void rollup_processor::committed(std::vector<kafka::outgoing_record>& outputs) {
  auto kept = std::exchange(uncommitted_, {});
  const auto rollups = static_cast<size_t>(std::count_if(
    outputs.begin(), outputs.end(), [&](const kafka::outgoing_record& r) { return r.topic == opts_.rollups_topic; }));
  if (rollups == kept.size()) {
    for (auto& k : kept)
      writer_.enqueue(k.partition, std::move(k.outbox_key), std::move(k.rollup));
    writer_.flush();
    return;
  }
  // Not the transaction this processor filled (cannot happen with the stage runtime): decode.
  FRESHET_LOG(warn, log::get("aggregate"), "committed {} rollups, {} kept: decoding them", rollups, kept.size());
  for (auto& rec : outputs) {
    if (rec.topic != opts_.rollups_topic)
      continue;
    v1::Rollup r;
    if (!r.ParseFromString(rec.value))
      continue; // ours: cannot happen
    const int32_t partition = r.source_partition(); // before r is moved from
    writer_.enqueue(partition, outbox_key(rec.key), std::move(r));
  }
  writer_.flush();
}

// --- Partitions --------------------------------------------------------------------------------

status rollup_processor::refresh(stream::stage_state& state, int64_t now) {
  // Partitions held without a record since (a restart, a quiet partition) still have timers to
  // run and outboxes to serve.
  for (const auto& tp : state.held()) {
    if (tp.topic != opts_.input_topic || parts_.contains(tp))
      continue;
    auto it = parts_.emplace(tp, partition_operators{}).first;
    it->second.tp = tp;
    if (auto st = rebuild_partition(it->second, state, now); !st.ok()) {
      parts_.erase(it);
      return st;
    }
  }
  for (auto it = parts_.begin(); it != parts_.end();) {
    auto gen = state.generation(it->first);
    if (gen == 0) {
      it = parts_.erase(it); // revoked: its state went with it
      continue;
    }
    if (gen != it->second.generation) {
      uncommitted_.clear(); // the transaction they belonged to was discarded
      FRESHET_TRY(rebuild_partition(it->second, state, now));
    }
    ++it;
  }
  return {};
}

result<partition_operators*> rollup_processor::held(const kafka::consumed_record& rec, stream::stage_state& state,
                                                    int64_t now) {
  kafka::topic_partition tp{rec.topic, rec.partition};
  auto it = parts_.find(tp);
  if (it != parts_.end())
    return &it->second;
  it = parts_.emplace(tp, partition_operators{}).first;
  it->second.tp = tp;
  if (auto st = rebuild_partition(it->second, state, now); !st.ok()) {
    parts_.erase(it);
    return st.err();
  }
  return &it->second;
}

status rollup_processor::rebuild_partition(partition_operators& p, stream::stage_state& state, int64_t now) {
  auto started = mono_ns();
  auto r = rebuild(p, plans_, state, now);
  if (!r)
    return r.err();
  p.generation = state.generation(p.tp);
  // Early results committed before the rebuild may not have reached the serving store (a crash
  // between commit and write): the open windows say them again at the next early round.
  for (auto& slot : p.slots)
    slot.op->reemit_open_windows();
  for (auto& [key, bytes] : r->outbox) {
    v1::Rollup rollup;
    if (!rollup.ParseFromString(bytes)) {
      state.erase(p.tp, key);
      continue;
    }
    p.outbox[key] = rollup.revision();
    writer_.enqueue(p.tp.partition, key, std::move(rollup)); // committed: safe to serve (again)
  }
  if (probe_) {
    probe_->rebuilt(r->records, static_cast<double>(mono_ns() - started) / 1e9);
    for (const auto& m : r->resets)
      probe_->state_reset(m);
  }
  FRESHET_LOG(debug, log::get("aggregate"), "rebuilt {}[{}] from {} state records", p.tp.topic, p.tp.partition,
              r->records);
  return {};
}

// --- Events ------------------------------------------------------------------------------------

void rollup_processor::apply(const kafka::consumed_record& rec, partition_operators& p, int64_t now,
                             std::vector<kafka::outgoing_record>& out) {
  const auto* stream_header = rec.find_header(kafka::headers::stream);
  const std::string_view stream = stream_header != nullptr ? std::string_view{*stream_header} : "unknown";
  if (rec.tombstone)
    return dead_letter(rec, "the record has no value", out);
  auto decoded = opts_.decode(rec);
  if (!decoded)
    return dead_letter(rec, decoded.err().message, out);
  const event_view ev(*decoded, rec, stream);
  const field_lookup lookup = [&ev](std::string_view path) { return to_filter(ev.find(path)); };
  std::string_view default_time = "_timestamp";
  if (auto it = opts_.stream_event_time.find(stream); it != opts_.stream_event_time.end() && !it->second.empty())
    default_time = it->second;

  for (size_t i = 0; i < plans_.size(); ++i) {
    const auto& plan = plans_[i];
    if (!plan.applies_to(stream))
      continue;
    auto& slot = p.slots[i];
    const auto& group_by = plan.spec.group_by;
    dim_text_.resize(group_by.size());
    dims_.resize(group_by.size());
    for (size_t d = 0; d < group_by.size(); ++d) {
      dim_text_[d].clear();
      append_text(ev.find(group_by[d]), dim_text_[d]);
      std::replace(dim_text_[d].begin(), dim_text_[d].end(), '\x1f', '?'); // the rollup key's separator
      dims_[d] = dim_text_[d];
    }
    const auto& fields = slot.op->input_fields();
    values_.resize(fields.size());
    for (size_t f = 0; f < fields.size(); ++f)
      values_[f] = to_engine(ev.find(fields[f]));
    int64_t time = 0;
    const std::string_view time_field =
      plan.decl.event_time.empty() ? default_time : std::string_view{plan.decl.event_time};
    if (!as_millis(ev.find(time_field), time)) {
      time = rec.timestamp_ms;
      if (probe_)
        probe_->event_time_fallback();
    }
    *slot.verdict = !plan.filter || plan.filter->matches(lookup);
    const size_t late_before = slot.out.late.size();
    window::event_input in{partition_id{rec.partition}, time, dims_, values_, now};
    if (auto st = slot.op->on_event(in, slot.out); !st.ok()) {
      FRESHET_LOG(err, log::get("aggregate"), "metric {}: {}", plan.decl.name, st.err().describe());
      continue;
    }
    slot.touched = true;
    slot.last_event_ms = now;
    if (slot.out.late.size() > late_before) {
      late_record(rec, plan, std::span(slot.out.late).subspan(late_before), out);
      slot.out.late.resize(late_before);
    }
  }
}

void rollup_processor::late_record(const kafka::consumed_record& rec, const metric_plan& plan,
                                   std::span<const window::late_event> late,
                                   std::vector<kafka::outgoing_record>& out) const {
  auto r = kafka::forward(rec, opts_.late_topic);
  const auto& first = late.front();
  std::string windows;
  for (const auto& l : late) {
    if (!windows.empty())
      windows += ',';
    windows += std::to_string(l.window.start) + "-" + std::to_string(l.window.end);
  }
  r.headers.push_back({kafka::headers::reason, window::to_string(first.reason)});
  r.headers.push_back({kafka::headers::message,
                       "metric " + plan.decl.name + ": event time " + std::to_string(first.event_time_ms) +
                         " is beyond the allowed lateness (" + std::to_string(plan.decl.allowed_lateness_ms) +
                         " ms) of window(s) " + windows + " at watermark " + std::to_string(first.watermark_ms)});
  add_source_headers(rec, r);
  r.headers.push_back({metric_header, plan.decl.name});
  r.headers.push_back({window_start_header, std::to_string(first.window.start)});
  r.headers.push_back({window_end_header, std::to_string(first.window.end)});
  r.headers.push_back({windows_header, windows});
  r.headers.push_back({event_time_header, std::to_string(first.event_time_ms)});
  r.headers.push_back({watermark_header, std::to_string(first.watermark_ms)});
  out.push_back(std::move(r));
  if (probe_)
    probe_->late_record(plan.decl.name);
}

void rollup_processor::dead_letter(const kafka::consumed_record& rec, const std::string& why,
                                   std::vector<kafka::outgoing_record>& out) {
  auto r = kafka::forward(rec, opts_.dlq_topic);
  r.headers.push_back({kafka::headers::reason, "undecodable"});
  r.headers.push_back({kafka::headers::message, why});
  add_source_headers(rec, r);
  out.push_back(std::move(r));
  if (probe_)
    probe_->undecodable();
}

// --- Processing time ---------------------------------------------------------------------------

void rollup_processor::advance_idle(int64_t now) {
  for (size_t i = 0; i < plans_.size(); ++i) {
    const auto& plan = plans_[i];
    const int64_t idle_after = plan.decl.idle_timeout_ms;
    if (idle_after <= 0 || parts_.size() < 2)
      continue;
    int64_t target = std::numeric_limits<int64_t>::max();
    bool any_active = false;
    for (auto& [tp, p] : parts_) {
      const auto& slot = p.slots[i];
      if (now - slot.last_event_ms >= idle_after)
        continue;
      any_active = true;
      target = std::min(target, slot.op->watermark()); // no_watermark (nothing seen yet) holds it back
    }
    if (!any_active || target == window::no_watermark)
      continue;
    const int64_t time = window::saturating_add(target, plan.decl.out_of_orderness_ms);
    for (auto& [tp, p] : parts_) {
      auto& slot = p.slots[i];
      if (now - slot.last_event_ms < idle_after || slot.op->watermark() >= target)
        continue;
      // A filtered event at the instance's watermark: it moves only the partition's progress.
      *slot.verdict = false;
      dims_.assign(plan.spec.group_by.size(), std::string_view{});
      values_.assign(slot.op->input_fields().size(), window::field_value{});
      window::event_input in{partition_id{tp.partition}, time, dims_, values_, now};
      if (slot.op->on_event(in, slot.out).ok()) {
        slot.touched = true;
        ++slot.heartbeats;
      }
    }
  }
}

// --- Outputs -----------------------------------------------------------------------------------

void rollup_processor::drain(partition_operators& p, stream::stage_state& state, int64_t now,
                             std::vector<kafka::outgoing_record>& out) {
  for (size_t i = 0; i < p.slots.size(); ++i) {
    auto& slot = p.slots[i];
    const auto& plan = plans_[i];
    const bool session = plan.spec.window.kind == window::window_kind::session;
    slot.out.late.clear(); // already turned into late records
    if (!slot.touched && slot.out.emissions.empty())
      continue;
    for (const auto& e : slot.out.emissions) {
      auto rollup = serving::to_rollup(e, plan.spec, opts_.pipeline, p.tp.partition, now);
      auto key = serving::rollup_key(e.metric, e.dims, e.window, p.tp.partition);
      auto okey = outbox_key(key);
      const bool outboxed = p.outbox.contains(okey);
      if (session && outboxed)
        keep_replaces(state, p.tp, okey, rollup);
      auto bytes = rollup.SerializeAsString();
      // Early results skip the outbox: a rebuild has every open window emit again instead
      // (`reemit_open_windows`). Finals and late revisions, which nothing would repeat, and
      // anything that carries or replaces session bounds to retract, are kept until served.
      if (e.kind != window::emission_kind::early || !e.replaces.empty() || outboxed) {
        state.put(p.tp, okey, bytes);
        p.outbox[okey] = e.revision;
      }
      out.push_back({opts_.rollups_topic, -1, std::move(key), std::move(bytes), {}, 0});
      uncommitted_.push_back({p.tp.partition, std::move(okey), std::move(rollup)});
      if (probe_)
        probe_->emission(plan.decl.name, window::to_string(e.kind));
    }
    changes_.clear();
    slot.op->take_changes(changes_);
    const auto prefix = state_prefix(plan.decl.name);
    for (auto& c : changes_) {
      if (c.value)
        state.put(p.tp, prefix + c.key, std::move(*c.value));
      else
        state.erase(p.tp, prefix + c.key);
    }
    if (probe_)
      probe_->operator_progress(plan.decl.name, slot.reported, slot.op->stats(), slot.heartbeats);
    slot.reported = slot.op->stats();
    slot.heartbeats = 0;
    slot.out.clear();
    slot.touched = false;
  }
}

void rollup_processor::keep_replaces(stream::stage_state& state, const kafka::topic_partition& tp,
                                     const std::string& okey, v1::Rollup& rollup) {
  // The outbox keeps one rollup per key: the one it replaces there may not have been served yet,
  // and its `replaces` (session bounds to tombstone) must not be lost with it.
  auto prev = state.get(tp, okey);
  if (!prev || !prev->has_value())
    return;
  v1::Rollup old;
  if (!old.ParseFromString(**prev))
    return;
  for (const auto& b : old.replaces()) {
    if (b.start_ms() == rollup.window_start_ms() && b.end_ms() == rollup.window_end_ms())
      continue;
    bool known = std::any_of(rollup.replaces().begin(), rollup.replaces().end(), [&](const v1::WindowBounds& x) {
      return x.start_ms() == b.start_ms() && x.end_ms() == b.end_ms();
    });
    if (!known)
      *rollup.add_replaces() = b;
  }
}

void rollup_processor::take_served() {
  served_.clear(); // a failed call's (its transaction aborts: the rebuilt outbox has them again)
  for (auto& s : writer_.take_served()) {
    auto it = parts_.find(kafka::topic_partition{opts_.input_topic, s.partition});
    if (it == parts_.end()) {
      continue; // no longer ours: the next owner serves and erases it
    }
    auto o = it->second.outbox.find(s.outbox_key);
    if (o == it->second.outbox.end() || o->second != s.revision)
      continue; // a newer revision is waiting to be served
    it->second.outbox.erase(o);
    served_.push_back({it->first, std::move(s.outbox_key)});
  }
}

void rollup_processor::erase_served(stream::stage_state& state) {
  // After `drain`: an entry this call emitted again (early results of a window still changing)
  // holds the new rollup now, and its put replaces the served one in the same transaction, so a
  // tombstone for it would only be one more changelog record.
  for (auto& [tp, key] : served_) {
    auto it = parts_.find(tp);
    if (it != parts_.end() && !it->second.outbox.contains(key))
      state.erase(tp, key);
  }
  served_.clear();
}

void rollup_processor::requeue_outbox(stream::stage_state& state) {
  FRESHET_LOG(warn, log::get("aggregate"), "serving backlog overflowed: re-reading the outboxes");
  for (auto& [tp, p] : parts_) {
    auto st = state.scan(tp, outbox_prefix, [&](std::string_view k, std::string_view v) {
      v1::Rollup r;
      if (r.ParseFromArray(v.data(), static_cast<int>(v.size())))
        writer_.enqueue(tp.partition, std::string{k}, std::move(r));
      return true;
    });
    if (!st.ok())
      FRESHET_LOG(warn, log::get("aggregate"), "outbox of {}[{}]: {}", tp.topic, tp.partition, st.err().describe());
  }
}

void rollup_processor::report(int64_t now) {
  if (!probe_)
    return;
  for (size_t i = 0; i < plans_.size(); ++i) {
    int64_t lowest = std::numeric_limits<int64_t>::max();
    size_t open = 0;
    for (const auto& [tp, p] : parts_) {
      const auto& op = *p.slots[i].op;
      open += op.open_windows();
      if (op.watermark() != window::no_watermark)
        lowest = std::min(lowest, op.watermark());
    }
    double lag = lowest == std::numeric_limits<int64_t>::max() ? 0.0 : static_cast<double>(now - lowest) / 1000.0;
    probe_->watermark(plans_[i].decl.name, lag, open);
  }
}

} // namespace freshet::aggregate
