#include "common/schema/cached_registry.hpp"

#include <mutex>

#include "common/base/clock.hpp"
#include "common/schema/errc.hpp"

namespace freshet::schema {

cached_registry::cached_registry(client_options opts, cache_options copts)
    : client_(std::move(opts)), opts_(copts) {}

status cached_registry::fail_fast() const {
  std::shared_lock guard{mtx_};
  if (now_ms() < unreachable_until_ms_)
    return make_schema_error(errc::unreachable, "schema registry unreachable a moment ago (" + last_failure_ +
                                                  "); not asking again yet");
  return {};
}

void cached_registry::note_failure(const error& e) {
  if (reason_of(e) != errc::unreachable)
    return;
  std::unique_lock guard{mtx_};
  unreachable_until_ms_ = now_ms() + opts_.unreachable_backoff_ms;
  last_failure_ = e.message;
}

void cached_registry::trim_negative() {
  // Called with the lock held. Expired entries go first; if that is not enough, everything does
  // (misses are cheap to learn again, and a flood of fresh ids must not grow memory).
  auto now = now_ms();
  if (missing_ids_.size() + non_members_.size() < opts_.max_negative_entries)
    return;
  std::erase_if(missing_ids_, [now](const auto& kv) { return kv.second <= now; });
  std::erase_if(non_members_, [now](const auto& kv) { return kv.second <= now; });
  if (missing_ids_.size() + non_members_.size() >= opts_.max_negative_entries) {
    missing_ids_.clear();
    non_members_.clear();
  }
}

void cached_registry::remember(schema_id id, avro::schema s) {
  std::unique_lock guard{mtx_};
  ids_.insert_or_assign(id.value(), std::move(s));
  missing_ids_.erase(id.value());
}

std::size_t cached_registry::cached_ids() const {
  std::shared_lock guard{mtx_};
  return ids_.size();
}

result<avro::schema> cached_registry::by_id(schema_id id) {
  {
    std::shared_lock guard{mtx_};
    if (auto it = ids_.find(id.value()); it != ids_.end())
      return it->second;
    if (auto it = missing_ids_.find(id.value()); it != missing_ids_.end() && it->second > now_ms())
      return make_schema_error(errc::schema_not_found, "schema id " + std::to_string(id.value()) +
                                                         " is unknown to the registry (remembered)");
  }
  FRESHET_TRY(fail_fast());
  auto text = client_.schema_text(id);
  if (!text) {
    note_failure(text.err());
    if (reason_of(text.err()) == errc::schema_not_found) {
      std::unique_lock guard{mtx_};
      trim_negative();
      missing_ids_[id.value()] = now_ms() + opts_.negative_ttl_ms;
    }
    return text.err();
  }
  auto parsed = avro::schema::parse(*text);
  if (!parsed)
    return make_schema_error(errc::unparseable_schema, "schema id " + std::to_string(id.value()) +
                                                         " from the registry does not parse: " + parsed.err().message);
  remember(id, *parsed);
  return *parsed;
}

result<bool> cached_registry::in_subject(const std::string& subject, schema_id id) {
  auto key = std::make_pair(subject, id.value());
  {
    std::shared_lock guard{mtx_};
    if (membership_.count(key))
      return true;
    if (auto it = non_members_.find(key); it != non_members_.end() && it->second > now_ms())
      return false;
  }
  auto s = by_id(id);
  if (!s)
    return s.err();
  FRESHET_TRY(fail_fast());
  auto found = client_.lookup(subject, s->text());
  if (!found) {
    note_failure(found.err());
    if (!is_not_found(found.err()))
      return found.err();
  }
  bool member = found.ok() && found->id == id;
  std::unique_lock guard{mtx_};
  if (member) {
    membership_[key] = true;
  } else {
    trim_negative();
    non_members_[key] = now_ms() + opts_.negative_ttl_ms;
  }
  return member;
}

result<schema_id> cached_registry::register_schema(const std::string& subject, const std::string& text) {
  auto parsed = avro::schema::parse(text);
  if (!parsed)
    return make_schema_error(errc::unparseable_schema, "schema for " + subject + ": " + parsed.err().message);
  auto id = client_.register_schema(subject, text);
  if (!id) {
    note_failure(id.err());
    return id.err();
  }
  remember(*id, *parsed);
  std::unique_lock guard{mtx_};
  membership_[{subject, id->value()}] = true;
  non_members_.erase({subject, id->value()});
  return *id;
}

result<latest_schema> cached_registry::latest(const std::string& subject) {
  auto got = client_.latest(subject);
  if (!got) {
    note_failure(got.err());
    return got.err();
  }
  auto parsed = avro::schema::parse(got->text);
  if (!parsed)
    return make_schema_error(errc::unparseable_schema, "latest schema of " + subject +
                                                         " does not parse: " + parsed.err().message);
  remember(got->id, *parsed);
  {
    std::unique_lock guard{mtx_};
    membership_[{subject, got->id.value()}] = true;
  }
  return latest_schema{std::move(*got), std::move(*parsed)};
}

} // namespace freshet::schema
