#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/base/result.hpp"
#include "common/config/pipeline_spec.hpp"
#include "common/event/record.hpp"

namespace freshet::schema {

/// Decodes one value of an event topic for the named stream (the `freshet.stream` header).
/// Thread-safe; owns what it uses.
using record_decoder = std::function<result<event::record>(std::string_view value, std::string_view stream)>;

/// What a stage after ingest decodes the event topics with (quality-gate, enrich, tools): an
/// `event_decoder` over the registry at `registry_url` (none when empty: then only id 0, what an
/// ingest without a registry writes, decodes), reading each stream as its local .avsc from the
/// spec — "the reader schema the stage was built for" — with the writer's schema by id. JSON values
/// still decode as before. Fails only when a local .avsc does not parse.
[[nodiscard]] result<record_decoder> make_stage_decoder(const config::pipeline_spec& spec,
                                                        const std::string& registry_url, int timeout_ms = 5000);

} // namespace freshet::schema
