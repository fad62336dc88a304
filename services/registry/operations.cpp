#include "services/registry/operations.hpp"

#include <algorithm>
#include <charconv>

#include "services/registry/errc.hpp"

namespace freshet::registry {

namespace {

error subject_not_found(const std::string& subject) {
  return make_error(errc::subject_not_found, "Subject '" + subject + "' not found.");
}

std::string direction(const avro::compat_issue& i, int32_t version) {
  return i.candidate_is_reader ? "new schema reading data of version " + std::to_string(version)
                               : "version " + std::to_string(version) + " reading data of the new schema";
}

std::string quote_single(const std::string& s) {
  std::string out;
  for (char c : s)
    out += c == '\'' ? std::string{"\\'"} : std::string(1, c);
  return out;
}

} // namespace

result<version_ref> parse_version(const std::string& text) {
  if (text == "latest" || text == "-1")
    return version_ref{true, 0};
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > INT32_MAX)
    return make_error(errc::invalid_version, "The specified version '" + text +
                                               "' is not a valid version id. Allowed values are between "
                                               "[1, 2^31-1] and the string \"latest\"");
  return version_ref{false, static_cast<int32_t>(n)};
}

result<version_info> resolve_version(const registry_state& st, const std::string& subject, const version_ref& ref,
                                     bool include_deleted) {
  const auto* all = st.versions(subject);
  if (!all)
    return subject_not_found(subject);
  if (!include_deleted && st.live_versions(subject).empty())
    return subject_not_found(subject);
  if (ref.latest) {
    for (auto it = all->rbegin(); it != all->rend(); ++it)
      if (include_deleted || !it->second.deleted)
        return it->second;
    return subject_not_found(subject);
  }
  auto it = all->find(ref.number);
  if (it == all->end() || (it->second.deleted && !include_deleted))
    return make_error(errc::version_not_found, "Version " + std::to_string(ref.number) + " not found.");
  return it->second;
}

compat_verdict check_against(const registry_state& st, const avro::schema& candidate, avro::compat_level level,
                             const std::vector<version_info>& existing) {
  std::vector<avro::schema> schemas;
  std::vector<int32_t> numbers;
  for (const auto& v : existing) {
    const auto* s = st.schema(v.id);
    if (s && s->parsed) {
      schemas.push_back(*s->parsed);
      numbers.push_back(v.version);
    }
  }
  compat_verdict out;
  auto report = avro::check_compatibility(level, candidate, schemas);
  out.compatible = report.compatible;
  for (const auto& i : report.issues) {
    auto version = numbers.at(i.version_index);
    out.messages.push_back(std::string{avro::to_string(i.issue.type)} + " at " + i.issue.path + " (" +
                           direction(i, version) + "): " + i.issue.message);
    if (std::find(out.versions.begin(), out.versions.end(), version) == out.versions.end())
      out.versions.push_back(version);
  }
  return out;
}

std::string incompatible_message(const std::string& subject, const compat_verdict& v, avro::compat_level level) {
  std::string details;
  for (const auto& m : v.messages)
    details += "{errorType:'" + m.substr(0, m.find(' ')) + "', description:'" + quote_single(m) + "'}, ";
  for (auto version : v.versions)
    details += "{oldSchemaVersion: " + std::to_string(version) + "}, ";
  details += std::string{"{compatibility: '"} + avro::to_string(level) + "'}";
  return "Schema being registered is incompatible with an earlier schema for subject \"" + subject +
         "\", details: [" + details + "]";
}

result<std::vector<store_record>> plan_register(const registry_state& st, const std::string& subject,
                                                const parsed_schema& s, avro::compat_level fallback,
                                                registration& out) {
  auto live = st.live_versions(subject);
  for (const auto& v : live) {
    const auto* known = st.schema(v.id);
    if (known && known->identity == s.identity) {
      out = registration{v.id, v.version, false};
      return std::vector<store_record>{};
    }
  }
  auto level = st.effective_level(subject, fallback);
  auto verdict = check_against(st, s.schema, level, live);
  if (!verdict.compatible)
    return make_error(errc::incompatible_schema, incompatible_message(subject, verdict, level));

  int32_t version = 1;
  if (const auto* all = st.versions(subject); all && !all->empty())
    version = all->rbegin()->first + 1;
  auto id = st.id_of(s.identity).value_or(st.next_id());
  out = registration{id, version, true};
  schema_value value;
  value.subject = subject;
  value.version = version;
  value.id = id;
  value.schema = s.text;
  return std::vector<store_record>{schema_record{subject, version, std::move(value)}};
}

namespace {

schema_record rewrite_deleted(const registry_state& st, const std::string& subject, const version_info& v) {
  schema_value value;
  value.subject = subject;
  value.version = v.version;
  value.id = v.id;
  if (const auto* s = st.schema(v.id)) {
    value.schema = s->text;
    value.schema_type = s->type;
  }
  value.deleted = true;
  return schema_record{subject, v.version, std::move(value)};
}

} // namespace

result<std::vector<store_record>> plan_delete_subject(const registry_state& st, const std::string& subject,
                                                      bool permanent, std::vector<int32_t>& out) {
  const auto* all = st.versions(subject);
  if (!all)
    return subject_not_found(subject);
  std::vector<store_record> records;
  out.clear();
  auto live = st.live_versions(subject);
  if (!permanent) {
    if (live.empty())
      return make_error(errc::subject_soft_deleted, "Subject '" + subject +
                                                      "' was soft deleted.Set permanent=true to delete permanently");
    for (const auto& v : live) {
      records.push_back(rewrite_deleted(st, subject, v));
      out.push_back(v.version);
    }
    return records;
  }
  if (!live.empty())
    return make_error(errc::subject_not_soft_deleted,
                      "Subject '" + subject + "' was not deleted first before being permanently deleted");
  for (const auto& [v, info] : *all) {
    records.push_back(schema_record{subject, v, std::nullopt});
    out.push_back(v);
  }
  if (st.subject_level(subject))
    records.push_back(config_record{subject, std::nullopt});
  records.push_back(id_watermark_record{to_int(st.next_id())});
  return records;
}

result<std::vector<store_record>> plan_delete_version(const registry_state& st, const std::string& subject,
                                                      const version_ref& ref, bool permanent, int32_t& out) {
  auto target = resolve_version(st, subject, ref, /*include_deleted=*/permanent || !ref.latest);
  if (!target)
    return target.err();
  const auto& v = *target;
  out = v.version;
  auto name = std::to_string(v.version);
  if (!permanent) {
    if (v.deleted)
      return make_error(errc::version_soft_deleted, "Subject '" + subject + "' Version " + name +
                                                      " was soft deleted.Set permanent=true to delete permanently");
    return std::vector<store_record>{rewrite_deleted(st, subject, v)};
  }
  if (!v.deleted)
    return make_error(errc::version_not_soft_deleted,
                      "Subject '" + subject + "' Version " + name + " was not deleted first before being permanently deleted");
  return std::vector<store_record>{schema_record{subject, v.version, std::nullopt},
                                   id_watermark_record{to_int(st.next_id())}};
}

std::vector<store_record> plan_set_config(const std::optional<std::string>& subject, avro::compat_level level) {
  return {config_record{subject, level}};
}

result<std::vector<store_record>> plan_delete_config(const registry_state& st, const std::optional<std::string>& subject,
                                                     avro::compat_level fallback, avro::compat_level& previous) {
  if (!subject) {
    previous = st.global_level().value_or(fallback);
    if (!st.global_level())
      return std::vector<store_record>{};
    return std::vector<store_record>{config_record{std::nullopt, std::nullopt}};
  }
  auto own = st.subject_level(*subject);
  if (!own && !st.versions(*subject))
    return subject_not_found(*subject);
  previous = own.value_or(st.global_level().value_or(fallback));
  if (!own)
    return std::vector<store_record>{};
  return std::vector<store_record>{config_record{subject, std::nullopt}};
}

} // namespace freshet::registry
