#include "services/enrich/enricher.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "common/event/json_codec.hpp"
#include "common/log/logger.hpp"
#include "services/enrich/enrich_probe.hpp"
#include "services/enrich/reference_table.hpp"
#include "services/enrich/user_agent.hpp"

namespace freshet::enrich {

/// One compiled derived field.
struct enricher::derivation {
  std::string name;
  config::derivation_kind kind = config::derivation_kind::lookup;
  std::set<std::string> streams; ///< empty = every stream
  table_source* table = nullptr;
  reference_table* ip_table = nullptr;
  std::string input;
  std::vector<std::string> columns; ///< one per output; "" never (single outputs name their column)
  std::vector<std::string> outputs;
  std::optional<expression> expr;
  config::miss_policy policy = config::miss_policy::null;
  std::vector<event::value> defaults; ///< one per output

  [[nodiscard]] bool applies_to(const std::string& stream) const { return streams.empty() || streams.count(stream); }
};

/// One input record, decoded.
struct enricher::decoded {
  const kafka::consumed_record* in = nullptr;
  std::string stream;
  std::optional<event::record> rec;
  std::string error; ///< why `rec` is empty
};

namespace {

/// Redis hashes hold text: a column read as a number in an expression is converted when all of it
/// is a number.
event::value numeric_if_text(const event::value& v) {
  const auto* s = std::get_if<std::string>(&v);
  if (!s || s->empty())
    return v;
  int64_t i = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), i);
  if (ec == std::errc{} && end == s->data() + s->size())
    return i;
  char* stop = nullptr;
  double d = std::strtod(s->c_str(), &stop);
  if (stop == s->c_str() + s->size() && !std::isspace(static_cast<unsigned char>((*s)[0])))
    return d;
  return v;
}

void set_header(std::vector<kafka::header>& headers, const std::string& key, std::string value) {
  for (auto& h : headers)
    if (h.key == key) {
      h.value = std::move(value);
      return;
    }
  headers.push_back({key, std::move(value)});
}

/// A field of the event that a derived output would overwrite as an object or hide inside one
/// ("user" when deriving "user.country"), which the JSON encoding cannot hold both of.
const std::string* blocking_field(const event::record& rec, const std::string& output) {
  for (const auto& [path, v] : rec.fields()) {
    bool prefix = output.size() > path.size() && output.starts_with(path) && output[path.size()] == '.';
    bool nested = path.size() > output.size() && path.starts_with(output) && path[output.size()] == '.';
    if (prefix || nested)
      return &path;
  }
  return nullptr;
}

} // namespace

enricher::~enricher() = default;

result<std::unique_ptr<enricher>> enricher::create(const config::enrichment_spec& spec, table_set tables,
                                                   enricher_options opts, enrich_probe* probe) {
  std::unique_ptr<enricher> e{new enricher};
  e->opts_ = std::move(opts);
  e->probe_ = probe;
  e->tables_ = std::move(tables);
  auto table = [&](const std::string& name) -> table_source* {
    auto it = e->tables_.by_name.find(name);
    return it == e->tables_.by_name.end() ? nullptr : it->second.get();
  };
  std::vector<std::string> function_names;
  for (const auto& f : spec.functions) {
    const auto& builtins = expression::builtin_names();
    if (std::find(builtins.begin(), builtins.end(), f.name) != builtins.end())
      return make_error(error_domain::config, 11, "function " + f.name + " would hide the builtin of that name");
    auto* t = table(f.table);
    if (!t)
      return make_error(error_domain::config, 11, "function " + f.name + ": table " + f.table + " is not open");
    function_names.push_back(f.name);
    e->functions_.push_back({t, f.field});
  }
  for (const auto& f : spec.fields) {
    derivation d;
    d.name = f.name;
    d.kind = f.kind;
    d.streams.insert(f.streams.begin(), f.streams.end());
    d.input = f.input;
    d.outputs = f.outputs();
    d.columns = f.columns.empty() ? std::vector<std::string>{f.column} : f.columns;
    d.policy = f.on_miss;
    for (size_t i = 0; i < d.outputs.size(); ++i) {
      auto it = f.defaults.find(f.columns.empty() ? "" : f.columns[i]);
      d.defaults.push_back(it == f.defaults.end() ? event::value{} : event::value{it->second});
    }
    if (f.kind == config::derivation_kind::lookup || f.kind == config::derivation_kind::ip_lookup) {
      d.table = table(f.table);
      if (!d.table)
        return make_error(error_domain::config, 11, "field " + f.name + ": table " + f.table + " is not open");
      if (f.kind == config::derivation_kind::ip_lookup) {
        auto it = e->tables_.reference.find(f.table);
        if (it == e->tables_.reference.end() || !it->second->is_ip_table())
          return make_error(error_domain::config, 11, "field " + f.name + ": " + f.table + " is no IP-range table");
        d.ip_table = it->second.get();
      }
    }
    if (f.kind == config::derivation_kind::expression) {
      auto x = expression::parse(f.expression, function_names);
      if (!x)
        return make_error(error_domain::config, 11, "field " + f.name + ": " + x.err().message);
      d.expr = std::move(*x);
    }
    e->derivations_.push_back(std::move(d));
  }
  return e;
}

status enricher::wait_for_tables() {
  for (const auto& [name, t] : tables_.reference) {
    if (t->caught_up() || t->wait_caught_up(opts_.ready_wait_ms))
      continue;
    if (probe_)
      probe_->batch_retried("tables_catching_up");
    return make_error(error_domain::internal, 2, "reference table " + name + " is still catching up with its topic",
                      true);
  }
  return {};
}

result<row_ptr> enricher::lookup(table_source& table, const std::string& key) {
  std::string memo_key = table.name();
  memo_key += '\0';
  memo_key += key;
  if (auto it = memo_.find(memo_key); it != memo_.end()) {
    if (probe_)
      probe_->lookup(table.name(), it->second ? lookup_outcome::hit : lookup_outcome::miss);
    return it->second;
  }
  auto row = table.find(key);
  if (!row) {
    if (probe_)
      probe_->lookup(table.name(), lookup_outcome::error);
    return row.err();
  }
  if (probe_)
    probe_->lookup(table.name(), *row ? lookup_outcome::hit : lookup_outcome::miss);
  memo_.emplace(std::move(memo_key), *row);
  return *row;
}

status enricher::prefetch(const std::vector<decoded>& events) {
  std::map<table_source*, std::vector<std::string>> keys;
  for (const auto& [name, t] : tables_.by_name)
    if (!tables_.reference.count(name))
      keys[t.get()]; // every cached table starts a batch, even without keys
  for (const auto& ev : events) {
    if (!ev.rec)
      continue;
    for (const auto& d : derivations_) {
      if (d.kind != config::derivation_kind::lookup || !d.applies_to(ev.stream) || !keys.count(d.table))
        continue;
      if (const auto* v = ev.rec->get(d.input); v && !event::is_null(*v))
        keys[d.table].push_back(event::as_text(*v));
    }
  }
  for (auto& [table, ks] : keys)
    FRESHET_TRY(table->prefetch(ks));
  return {};
}

result<enricher::verdict> enricher::derive_all(const std::string& stream, event::record& rec) {
  for (const auto& d : derivations_) {
    if (!d.applies_to(stream))
      continue;
    for (const auto& out : d.outputs)
      if (const auto* blocker = blocking_field(rec, out))
        return verdict{true, reasons::field_conflict,
                       "derived field " + out + " collides with the event's field " + *blocker};

    std::vector<event::value> values(d.outputs.size());
    bool missed = false;
    std::string miss_detail;
    const auto* in = d.input.empty() ? nullptr : rec.get(d.input);
    bool has_input = in && !event::is_null(*in) && !(std::holds_alternative<std::string>(*in) &&
                                                     std::get<std::string>(*in).empty());
    switch (d.kind) {
      case config::derivation_kind::lookup:
      case config::derivation_kind::ip_lookup: {
        if (!has_input)
          break; // nothing to look up: null, not a miss
        auto key = event::as_text(*in);
        auto row = d.ip_table ? d.ip_table->find_ip(key) : lookup(*d.table, key);
        if (d.ip_table && probe_)
          probe_->lookup(d.ip_table->name(), !row ? lookup_outcome::error : *row ? lookup_outcome::hit : lookup_outcome::miss);
        if (!row)
          return row.err();
        if (!*row) {
          missed = true;
          miss_detail = "no row in " + d.table->name() + " for " + d.input + "=" + key;
          break;
        }
        for (size_t i = 0; i < d.columns.size(); ++i)
          if (const auto* v = (*row)->get(d.columns[i]))
            values[i] = *v;
        break;
      }
      case config::derivation_kind::device_class:
        if (has_input && std::holds_alternative<std::string>(*in))
          values[0] = std::string{to_string(classify_user_agent(std::get<std::string>(*in)))};
        break;
      case config::derivation_kind::expression: {
        std::string missed_call;
        function_caller call = [&](size_t fn, const event::value& arg) -> result<std::optional<event::value>> {
          const auto& binding = functions_[fn];
          auto key = event::as_text(arg);
          auto row = lookup(*binding.table, key);
          if (!row)
            return row.err();
          if (!*row) {
            if (missed_call.empty())
              missed_call = "no row in " + binding.table->name() + " for " + key;
            return std::optional<event::value>{};
          }
          const auto* v = (*row)->get(binding.column);
          return std::optional<event::value>{v ? numeric_if_text(*v) : event::value{}};
        };
        auto r = d.expr->evaluate(rec, call);
        if (!r)
          return r.err();
        values[0] = std::move(r->value);
        missed = r->missed;
        miss_detail = missed_call;
        break;
      }
    }
    if (missed) {
      if (probe_)
        probe_->derived_miss(d.name, d.policy);
      if (d.policy == config::miss_policy::quarantine)
        return verdict{true, reasons::lookup_miss, "field " + d.name + ": " + miss_detail};
      if (d.policy == config::miss_policy::use_default)
        values = d.defaults;
    }
    for (size_t i = 0; i < d.outputs.size(); ++i)
      rec.set(d.outputs[i], std::move(values[i]));
  }
  return verdict{};
}

kafka::outgoing_record enricher::quarantined(const kafka::consumed_record& in, const verdict& why) const {
  auto out = kafka::forward(in, opts_.quarantine_topic);
  set_header(out.headers, kafka::headers::reason, why.reason);
  set_header(out.headers, kafka::headers::message, why.message);
  set_header(out.headers, kafka::headers::stage, opts_.stage);
  set_header(out.headers, kafka::headers::source_topic, in.topic);
  set_header(out.headers, kafka::headers::source_partition, std::to_string(in.partition));
  set_header(out.headers, kafka::headers::source_offset, std::to_string(in.offset));
  if (probe_)
    probe_->quarantined(why.reason);
  return out;
}

kafka::outgoing_record enricher::enriched(const kafka::consumed_record& in, const std::string& stream,
                                          const event::record& rec) const {
  kafka::outgoing_record out{opts_.enriched_topic, -1, in.key, event::encode_json(rec), in.headers, in.timestamp_ms};
  if (auto it = schema_ids_.find(stream); it != schema_ids_.end())
    set_header(out.headers, kafka::headers::schema_id, std::to_string(it->second));
  return out;
}

result<std::vector<kafka::outgoing_record>> enricher::process(const std::vector<kafka::consumed_record>& batch) {
  FRESHET_TRY(wait_for_tables());
  memo_.clear();
  auto fail = [&](const error& err, const char* why) -> error {
    if (probe_)
      probe_->batch_retried(why);
    FRESHET_LOG(debug, log::get("enrich"), "{} ({}); the batch will be retried", why, err.describe());
    std::this_thread::sleep_for(std::chrono::milliseconds(opts_.retry_backoff_ms));
    return err;
  };
  std::vector<decoded> events(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& ev = events[i];
    ev.in = &batch[i];
    if (const auto* s = batch[i].find_header(kafka::headers::stream))
      ev.stream = *s;
    if (batch[i].tombstone) {
      ev.error = "the record has no value";
      continue;
    }
    auto rec = opts_.decode ? opts_.decode(batch[i].value, ev.stream) : event::decode_json(batch[i].value);
    if (rec)
      ev.rec = std::move(*rec);
    else if (rec.err().retriable)
      return fail(rec.err(), "decode_error");
    else
      ev.error = rec.err().message;
  }
  if (auto st = prefetch(events); !st.ok())
    return fail(st.err(), "lookup_error");

  std::vector<kafka::outgoing_record> out;
  out.reserve(batch.size());
  size_t enriched_count = 0;
  for (auto& ev : events) {
    if (!ev.rec) {
      out.push_back(quarantined(*ev.in, {true, reasons::undecodable, ev.error}));
      continue;
    }
    auto v = derive_all(ev.stream, *ev.rec);
    if (!v)
      return fail(v.err(), "lookup_error");
    if (v->quarantine) {
      out.push_back(quarantined(*ev.in, *v));
      continue;
    }
    out.push_back(enriched(*ev.in, ev.stream, *ev.rec));
    ++enriched_count;
  }
  if (probe_)
    probe_->enriched(enriched_count);
  return out;
}

} // namespace freshet::enrich
