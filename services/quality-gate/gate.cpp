#include "services/quality-gate/gate.hpp"

#include <algorithm>

#include "common/event/json_codec.hpp"

namespace freshet::quality_gate {

namespace {

/// Messages stay readable in a header, whatever the events hold.
constexpr size_t max_message = 2000;

/// Headers the gate owns: dropped from an incoming record before the gate writes its own.
bool gate_owned(const std::string& key, bool keep_source) {
  namespace h = kafka::headers;
  if (key == h::reason || key == h::message || key == h::stage || key == gate_headers::failed_expectations ||
      key == gate_headers::warnings || key == gate_headers::readmit_count || key == gate_headers::readmitted_from)
    return true;
  return !keep_source && (key == h::source_topic || key == h::source_partition || key == h::source_offset);
}

std::vector<kafka::header> without_gate_headers(const std::vector<kafka::header>& in, bool keep_source) {
  std::vector<kafka::header> out;
  out.reserve(in.size() + 8);
  for (const auto& h : in)
    if (!gate_owned(h.key, keep_source))
      out.push_back(h);
  return out;
}

std::string names_of(const std::vector<failure>& fs) {
  std::string out;
  for (const auto& f : fs)
    out += (out.empty() ? "" : ",") + f.spec->name;
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ",") + p;
  return out;
}

void add_reason(verdict& v, const std::string& code) {
  if (std::find(v.reasons.begin(), v.reasons.end(), code) == v.reasons.end())
    v.reasons.push_back(code);
}

void quarantine(verdict& v, const char* code, std::string message) {
  v.to = verdict::route::quarantine;
  v.reasons = {code};
  v.message = std::move(message);
}

} // namespace

decoder_fn json_decoder() {
  return [](const kafka::consumed_record& rec) -> result<event::record> {
    if (rec.tombstone)
      return make_error(error_domain::decode, 3, "the record has a null value");
    return event::decode_json(rec.value);
  };
}

decoder_fn stage_decoder(std::function<result<event::record>(std::string_view, std::string_view)> decode) {
  return [decode = std::move(decode)](const kafka::consumed_record& rec) -> result<event::record> {
    if (rec.tombstone)
      return make_error(error_domain::decode, 3, "the record has a null value");
    const auto* stream = rec.find_header(kafka::headers::stream);
    return decode(rec.value, stream ? std::string_view{*stream} : std::string_view{});
  };
}

gate::gate(const expectation_set& expectations, gate_topics topics, clock_fn clock, decoder_fn decoder)
    : expectations_(expectations), topics_(std::move(topics)), clock_(std::move(clock)), decoder_(std::move(decoder)) {}

void gate::attach(quality_probe* probe, window_monitor* monitor, dedupe_step* dedupe) {
  probe_ = probe;
  monitor_ = monitor;
  dedupe_ = dedupe;
  counters_.clear();
  if (!probe_)
    return;
  unknown_routes_ = probe_->routes(quality_probe::unknown_stream);
  for (const auto& s : expectations_.streams()) {
    stream_counters c;
    for (const auto& chk : s->checks)
      c.checks.push_back(probe_->expectation(s->stream, chk->spec().name));
    if (s->unique)
      c.unique = probe_->expectation(s->stream, s->unique->name);
    c.routes = probe_->routes(s->stream);
    counters_.emplace(s.get(), std::move(c));
  }
}

void gate::decode(const kafka::consumed_record& rec, verdict& v) const {
  v.reference_ms = clock_();
  const auto* stream = rec.find_header(kafka::headers::stream);
  if (!stream || stream->empty())
    return quarantine(v, reason::undecodable, "the record has no freshet.stream header");
  v.stream = expectations_.find(*stream);
  if (!v.stream)
    return quarantine(v, reason::unknown_stream,
                      "the pipeline declares no stream '" + describe(expr_value{*stream}, 60) + "'");
  auto decoded = decoder_(rec);
  if (!decoded && decoded.err().retriable) {
    v.retry = decoded.err();
    return;
  }
  if (!decoded)
    return quarantine(v, reason::undecodable, decoded.err().message);
  v.event = std::move(*decoded);
}

void gate::check(const kafka::consumed_record& rec, verdict& v, std::vector<uint8_t>* outcomes) const {
  event_view view{*v.event, rec, v.reference_ms};
  v.reference_ms = view.reference_time_ms();
  if (outcomes)
    outcomes->assign(v.stream->checks.size(), 0);
  for (size_t i = 0; i < v.stream->checks.size(); ++i) {
    const auto& chk = *v.stream->checks[i];
    auto why = chk.check(view);
    if (!why)
      continue;
    if (chk.spec().severity == config::expectation_severity::warn) {
      v.warned.push_back({&chk.spec(), std::move(*why)});
      if (outcomes)
        (*outcomes)[i] = 1;
    } else {
      v.failed.push_back({&chk.spec(), std::move(*why)});
      add_reason(v, to_string(chk.spec().kind));
      if (outcomes)
        (*outcomes)[i] = 2;
    }
  }
  if (!v.failed.empty())
    v.to = verdict::route::quarantine;
}

verdict gate::judge(const kafka::consumed_record& rec) const {
  verdict v;
  decode(rec, v);
  if (v.to == verdict::route::valid && !v.retry)
    check(rec, v, nullptr);
  return v;
}

void gate::count_quarantine(const verdict& v) {
  if (!probe_)
    return;
  const auto& label = v.stream ? v.stream->stream : std::string{quality_probe::unknown_stream};
  auto it = v.stream ? counters_.find(v.stream) : counters_.end();
  (it != counters_.end() ? it->second.routes : unknown_routes_).quarantine->Increment();
  for (const auto& r : v.reasons)
    probe_->quarantined(label, r);
}

result<std::vector<kafka::outgoing_record>> gate::process(const std::vector<kafka::consumed_record>& batch) {
  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  std::vector<uint8_t> outcomes;
  for (const auto& rec : batch) {
    verdict v;
    decode(rec, v);
    if (v.retry)
      return *v.retry;
    if (v.to == verdict::route::quarantine) {
      count_quarantine(v);
      out.push_back(to_quarantine(rec, v));
      continue;
    }
    stream_counters* counters = nullptr;
    if (probe_)
      if (auto it = counters_.find(v.stream); it != counters_.end())
        counters = &it->second;

    // Uniqueness first: a duplicate is not judged (nor counted in windows) a second time.
    std::optional<dedupe_key> key;
    std::string id;
    if (dedupe_ && v.stream->unique) {
      event_view view{*v.event, rec, v.reference_ms};
      if (const auto* idv = view.find(v.stream->unique->field()); idv && !event::is_null(*idv)) {
        id = event::as_text(*idv);
        key = dedupe_key{{rec.topic, rec.partition}, v.stream->stream, id, view.reference_time_ms(),
                         v.stream->unique->dedupe_window_ms};
        auto seen = dedupe_->seen(*key);
        if (!seen)
          return seen.err();
        if (*seen) {
          const auto& u = *v.stream->unique;
          auto why = "event id " + describe(expr_value{id}, 80) + " was seen within the dedupe window";
          if (u.severity == config::expectation_severity::drop) {
            if (counters) {
              counters->unique.drop->Increment();
              counters->routes.duplicate->Increment();
            }
            continue;
          }
          if (u.severity == config::expectation_severity::warn) {
            v.warned.push_back({&u, std::move(why)});
            if (counters)
              counters->unique.warn->Increment();
          } else {
            v.failed.push_back({&u, std::move(why)});
            add_reason(v, to_string(u.kind));
            v.to = verdict::route::quarantine;
            if (counters)
              counters->unique.quarantine->Increment();
          }
          key.reset(); // already remembered
        } else if (counters) {
          counters->unique.pass->Increment();
        }
      }
    }

    check(rec, v, &outcomes);
    if (counters)
      for (size_t i = 0; i < outcomes.size(); ++i) {
        auto& c = counters->checks[i];
        (outcomes[i] == 0 ? c.pass : outcomes[i] == 1 ? c.warn : c.quarantine)->Increment();
      }
    if (monitor_)
      monitor_->observe(v.stream->stream, *v.event);

    if (v.to == verdict::route::quarantine) {
      count_quarantine(v);
      out.push_back(to_quarantine(rec, v));
    } else {
      if (counters)
        counters->routes.valid->Increment();
      if (key)
        dedupe_->remember(*key);
      out.push_back(to_valid(rec, v));
    }
  }
  return out;
}

kafka::outgoing_record gate::to_valid(const kafka::consumed_record& rec, const verdict& v,
                                      const std::string& readmitted_from) const {
  kafka::outgoing_record out{topics_.valid, -1, rec.key, rec.value, without_gate_headers(rec.headers, false),
                             rec.timestamp_ms, rec.tombstone};
  if (!v.warned.empty())
    out.headers.push_back({gate_headers::warnings, names_of(v.warned)});
  if (!readmitted_from.empty())
    out.headers.push_back({gate_headers::readmitted_from, readmitted_from});
  return out;
}

kafka::outgoing_record gate::to_quarantine(const kafka::consumed_record& rec, const verdict& v,
                                           int readmit_count) const {
  bool readmitted = readmit_count > 0;
  kafka::outgoing_record out{topics_.quarantine, -1, rec.key, rec.value, without_gate_headers(rec.headers, readmitted),
                             rec.timestamp_ms, rec.tombstone};
  std::string message = v.message;
  for (const auto& f : v.failed) {
    if (message.size() >= max_message)
      break;
    message += (message.empty() ? "" : "; ") + f.spec->name + ": " + f.message;
  }
  if (message.size() > max_message)
    message = message.substr(0, max_message) + "...";
  auto& h = out.headers;
  h.push_back({kafka::headers::reason, join(v.reasons)});
  h.push_back({kafka::headers::message, std::move(message)});
  h.push_back({kafka::headers::stage, "quality-gate"});
  if (!readmitted || !rec.find_header(kafka::headers::source_topic)) {
    h.push_back({kafka::headers::source_topic, rec.topic});
    h.push_back({kafka::headers::source_partition, std::to_string(rec.partition)});
    h.push_back({kafka::headers::source_offset, std::to_string(rec.offset)});
  }
  h.push_back({gate_headers::failed_expectations, names_of(v.failed)});
  if (!v.warned.empty())
    h.push_back({gate_headers::warnings, names_of(v.warned)});
  if (readmitted)
    h.push_back({gate_headers::readmit_count, std::to_string(readmit_count)});
  // Confluent-framed Avro names its schema in bytes 1-4; surface it when no header does.
  if (!rec.find_header(kafka::headers::schema_id) && rec.value.size() >= 5 && rec.value[0] == 0) {
    uint32_t id = 0;
    for (int i = 1; i <= 4; ++i)
      id = (id << 8) | static_cast<unsigned char>(rec.value[static_cast<size_t>(i)]);
    h.push_back({kafka::headers::schema_id, std::to_string(id)});
  }
  return out;
}

} // namespace freshet::quality_gate
