#pragma once

#include <string>
#include <string_view>

#include "common/avro/schema.hpp"
#include "common/base/result.hpp"

namespace freshet::registry {

/// A schema as the registry keeps it.
///
/// `identity` decides "the same schema": registering a schema whose identity is already known
/// reuses its id. It is the schema JSON with whitespace and member order normalised and
/// `{"type": "int"}` written as `"int"`, but with everything else kept (defaults, docs, aliases,
/// logical types, custom properties), like Confluent's canonical string. Avro's Parsing Canonical
/// Form is not used because it strips defaults and aliases: adding a default is a real evolution
/// step and must get its own id, or a reader would be served a schema without it.
struct parsed_schema {
  avro::schema schema;  ///< validated (Avro 1.11 rules)
  std::string text;     ///< the schema as given, compacted (member order kept)
  std::string identity; ///< see above
};

/// Parses and validates Avro schema text; errors are `errc::invalid_schema` with the reason.
[[nodiscard]] result<parsed_schema> parse_schema(std::string_view text);

} // namespace freshet::registry
