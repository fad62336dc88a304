#include "common/schema/stream_schemas.hpp"

#include "common/base/clock.hpp"
#include "common/log/logger.hpp"
#include "common/schema/cached_registry.hpp"
#include "common/schema/errc.hpp"
#include "common/schema/retry.hpp"

namespace freshet::schema {

result<stream_catalog> register_streams(const config::pipeline_spec& spec, cached_registry& registry,
                                        registration_options opts) {
  auto logger = log::get("schema");
  auto deadline = now_ms() + opts.give_up_after_ms;
  std::vector<stream_schema> out;
  for (const auto& st : spec.streams) {
    if (st.schema_file.empty())
      continue;
    auto local = load_stream_schema(spec, st);
    if (!local)
      return local.err();
    auto subject = subject_for(st.name);
    auto id = with_retries([&] { return registry.register_schema(subject, local->text()); }, deadline,
                           opts.retry_backoff_ms, "registering " + subject);
    if (!id)
      return id.err();
    auto latest = with_retries([&] { return registry.latest(subject); }, deadline, opts.retry_backoff_ms,
                               "reading the latest " + subject);
    if (!latest)
      return latest.err();
    if (latest->registered.id != *id)
      FRESHET_LOG(info, logger, "{}: the local schema is id {}, but the latest version ({}, id {}) is newer; using it",
                  subject, id->value(), latest->registered.version, latest->registered.id.value());
    FRESHET_LOG(info, logger, "stream {}: subject {} version {} schema id {}", st.name, subject,
                latest->registered.version, latest->registered.id.value());
    out.push_back({st.name, subject, latest->registered.id, latest->registered.version, std::move(latest->parsed)});
  }
  return stream_catalog{std::move(out), true};
}

result<stream_catalog> refresh_latest(const stream_catalog& current, cached_registry& registry) {
  std::vector<stream_schema> out;
  for (const auto& s : current.streams()) {
    auto latest = registry.latest(s.subject);
    if (!latest)
      return latest.err();
    out.push_back({s.stream, s.subject, latest->registered.id, latest->registered.version, std::move(latest->parsed)});
  }
  return stream_catalog{std::move(out), current.from_registry()};
}

} // namespace freshet::schema
