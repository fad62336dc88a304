#include "services/registry/registry_state.hpp"

#include <algorithm>

#include "common/log/logger.hpp"
#include "services/registry/schema_text.hpp"

namespace freshet::registry {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("registry.state");
  return l;
}

} // namespace

void registry_state::apply(const store_record& rec) {
  ++applied_;
  if (const auto* s = std::get_if<schema_record>(&rec)) {
    if (s->value)
      put_version(*s->value);
    else
      drop_version(s->subject, s->version);
  } else if (const auto* c = std::get_if<config_record>(&rec)) {
    if (!c->subject)
      global_level_ = c->level;
    else if (c->level)
      subject_levels_[*c->subject] = *c->level;
    else
      subject_levels_.erase(*c->subject);
  } else if (const auto* d = std::get_if<delete_subject_record>(&rec)) {
    if (auto it = subjects_.find(d->subject); it != subjects_.end())
      for (auto& [v, info] : it->second)
        if (v <= d->version)
          info.deleted = true;
  } else if (const auto* cl = std::get_if<clear_subject_record>(&rec)) {
    if (auto it = subjects_.find(cl->subject); it != subjects_.end()) {
      std::vector<int32_t> gone;
      for (const auto& [v, info] : it->second)
        if (info.deleted)
          gone.push_back(v);
      for (auto v : gone)
        drop_version(cl->subject, v);
    }
  } else if (const auto* w = std::get_if<id_watermark_record>(&rec)) {
    next_id_ = std::max(next_id_, w->next_id);
  }
}

void registry_state::put_version(const schema_value& v) {
  auto& versions = subjects_[v.subject];
  if (auto old = versions.find(v.version); old != versions.end() && old->second.id != v.id) {
    ++conflicts_;
    FRESHET_LOG(err, logger(), "conflict: {} version {} rewritten from id {} to id {}", v.subject, v.version,
                to_int(old->second.id), to_int(v.id));
    release(old->second.id, v.subject, v.version);
  }
  auto known = schemas_.find(v.id);
  if (known == schemas_.end()) {
    stored_schema s;
    s.id = v.id;
    s.type = v.schema_type;
    if (auto parsed = parse_schema(v.schema); parsed && v.schema_type == "AVRO") {
      s.text = std::move(parsed->text);
      s.identity = std::move(parsed->identity);
      s.parsed = std::move(parsed->schema);
    } else {
      s.text = v.schema;
      s.identity = v.schema_type + ":" + v.schema;
    }
    if (auto other = by_identity_.find(s.identity); other != by_identity_.end() && other->second != v.id) {
      // Same schema under two ids: readable either way, but registration must not do this.
      ++conflicts_;
      FRESHET_LOG(err, logger(), "conflict: one schema under ids {} and {}", to_int(other->second), to_int(v.id));
    } else {
      by_identity_[s.identity] = v.id;
    }
    schemas_.emplace(v.id, std::move(s));
  } else {
    auto parsed = parse_schema(v.schema);
    std::string identity = parsed && v.schema_type == "AVRO" ? parsed->identity : v.schema_type + ":" + v.schema;
    if (identity != known->second.identity) {
      ++conflicts_;
      FRESHET_LOG(err, logger(), "conflict: id {} given to two different schemas ({} version {})", to_int(v.id),
                  v.subject, v.version);
    }
  }
  versions[v.version] = version_info{v.version, v.id, v.deleted};
  uses_[v.id].insert({v.subject, v.version});
  next_id_ = std::max(next_id_, to_int(v.id) + 1);
}

void registry_state::drop_version(const std::string& subject, int32_t version) {
  auto it = subjects_.find(subject);
  if (it == subjects_.end())
    return;
  auto v = it->second.find(version);
  if (v == it->second.end())
    return;
  auto id = v->second.id;
  it->second.erase(v);
  if (it->second.empty())
    subjects_.erase(it);
  release(id, subject, version);
}

void registry_state::release(schema_id id, const std::string& subject, int32_t version) {
  auto u = uses_.find(id);
  if (u == uses_.end())
    return;
  u->second.erase({subject, version});
  if (!u->second.empty())
    return;
  uses_.erase(u);
  // No version holds the schema any more: it is gone (its id is never handed out again).
  if (auto s = schemas_.find(id); s != schemas_.end()) {
    if (auto b = by_identity_.find(s->second.identity); b != by_identity_.end() && b->second == id)
      by_identity_.erase(b);
    schemas_.erase(s);
  }
}

const std::map<int32_t, version_info>* registry_state::versions(const std::string& subject) const {
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? nullptr : &it->second;
}

std::vector<version_info> registry_state::live_versions(const std::string& subject) const {
  std::vector<version_info> out;
  if (const auto* vs = versions(subject))
    for (const auto& [v, info] : *vs)
      if (!info.deleted)
        out.push_back(info);
  return out;
}

const stored_schema* registry_state::schema(schema_id id) const {
  auto it = schemas_.find(id);
  return it == schemas_.end() ? nullptr : &it->second;
}

std::optional<schema_id> registry_state::id_of(const std::string& identity) const {
  auto it = by_identity_.find(identity);
  if (it == by_identity_.end())
    return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, int32_t>> registry_state::usages(schema_id id) const {
  auto it = uses_.find(id);
  if (it == uses_.end())
    return {};
  return {it->second.begin(), it->second.end()};
}

std::optional<avro::compat_level> registry_state::subject_level(const std::string& subject) const {
  auto it = subject_levels_.find(subject);
  if (it == subject_levels_.end())
    return std::nullopt;
  return it->second;
}

avro::compat_level registry_state::effective_level(const std::string& subject, avro::compat_level fallback) const {
  if (auto l = subject_level(subject))
    return *l;
  return global_level_.value_or(fallback);
}

} // namespace freshet::registry
