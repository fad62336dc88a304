#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/avro/compatibility.hpp"
#include "common/base/result.hpp"
#include "services/registry/records.hpp"
#include "services/registry/registry_state.hpp"
#include "services/registry/schema_text.hpp"

namespace freshet::registry {

/// The registry's rules, as pure functions of the state. A `plan_*` function checks a write
/// against the state and returns the records that perform it (empty: nothing to write) and what
/// to answer; the store may run it more than once, against a fresher state, until its records are
/// appended by the only writer (see `schema_store::write`).

/// A version named in a path: a number in [1, 2^31-1], or "latest" (also "-1").
struct version_ref {
  bool latest = false;
  int32_t number = 0;
};

/// `errc::invalid_version` unless `text` names a version.
[[nodiscard]] result<version_ref> parse_version(const std::string& text);

/// The version `ref` names in `subject`: `errc::subject_not_found` when the subject has no (live)
/// version, `errc::version_not_found` when it lacks this one. Soft-deleted versions count only
/// with `include_deleted`.
[[nodiscard]] result<version_info> resolve_version(const registry_state& st, const std::string& subject,
                                                   const version_ref& ref, bool include_deleted);

/// The outcome of a compatibility check.
struct compat_verdict {
  bool compatible = true;
  std::vector<std::string> messages; ///< one line per incompatibility, naming the version it concerns
  std::vector<int32_t> versions;     ///< versions the candidate failed against
};

/// Checks `candidate` against `existing` (oldest first) at `level` with `avro::check_compatibility`.
[[nodiscard]] compat_verdict check_against(const registry_state& st, const avro::schema& candidate,
                                           avro::compat_level level, const std::vector<version_info>& existing);

/// Confluent's 409 message: `Schema being registered is incompatible with an earlier schema for subject "s", details: [...]`.
[[nodiscard]] std::string incompatible_message(const std::string& subject, const compat_verdict& v,
                                               avro::compat_level level);

/// What a registration did.
struct registration {
  schema_id id{0};
  int32_t version = 0;
  bool created = false; ///< a new version was written (false: already registered under the subject)
};

/// `POST /subjects/{subject}/versions`: the same schema already live under the subject answers its
/// id; otherwise it must pass the subject's compatibility level (`errc::incompatible_schema`), and
/// gets the id of an identical schema registered anywhere or the next id, and the next version.
[[nodiscard]] result<std::vector<store_record>> plan_register(const registry_state& st, const std::string& subject,
                                                              const parsed_schema& s, avro::compat_level fallback,
                                                              registration& out);

/// `DELETE /subjects/{subject}[?permanent=true]`: the versions deleted.
[[nodiscard]] result<std::vector<store_record>> plan_delete_subject(const registry_state& st, const std::string& subject,
                                                                    bool permanent, std::vector<int32_t>& out);

/// `DELETE /subjects/{subject}/versions/{version}[?permanent=true]`: the version deleted.
[[nodiscard]] result<std::vector<store_record>> plan_delete_version(const registry_state& st, const std::string& subject,
                                                                    const version_ref& ref, bool permanent,
                                                                    int32_t& out);

/// `PUT /config[/{subject}]`.
[[nodiscard]] std::vector<store_record> plan_set_config(const std::optional<std::string>& subject,
                                                        avro::compat_level level);

/// `DELETE /config[/{subject}]`: answers the level in force before. A subject with neither versions
/// nor a level of its own is `errc::subject_not_found`.
[[nodiscard]] result<std::vector<store_record>> plan_delete_config(const registry_state& st,
                                                                   const std::optional<std::string>& subject,
                                                                   avro::compat_level fallback,
                                                                   avro::compat_level& previous);

} // namespace freshet::registry
