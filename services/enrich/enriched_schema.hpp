#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/result.hpp"
#include "common/config/enrichment_spec.hpp"

namespace freshet::enrich {

/// One field the enrich service adds, with its Avro type (the non-null branches; the null branch
/// and the null default are added by `derive_enriched_schema`).
struct derived_output {
  std::string path;      ///< "user.country"
  std::string avro_type; ///< JSON text of the type: "\"string\"", "[\"long\",\"string\"]", ...
  std::string doc;       ///< where the value comes from, for people reading the registry
};

/// Reads a table's `.avsc` (the `schema:` of a reference table); used to type joined columns.
using schema_reader = std::function<result<std::string>(const std::string& path)>;

/// The outputs the spec derives for `stream`, in spec order, typed: device classes are strings,
/// expressions doubles (or their `type:`), joined columns take their type from the table's schema
/// (enums become strings, unions lose their null branch) or their `type:`, and are strings otherwise.
[[nodiscard]] result<std::vector<derived_output>> outputs_for_stream(const config::enrichment_spec& spec,
                                                                     const std::string& stream,
                                                                     const schema_reader& read_schema);

/// The enriched schema of a stream: its `.avsc` (a record) plus every derived output as a field of
/// type `["null", ...]` with default null; dotted paths become nested records named
/// `<Record>_<path>`. Every added field has a default, so the result reads data written with the
/// base schema and with any earlier enriched version that differs only in which derived fields it
/// has: a BACKWARD-compatible evolution of subject `<stream>-enriched-value`. A derived field whose
/// first segment is a field of the base schema is an error.
[[nodiscard]] result<std::string> derive_enriched_schema(std::string_view base_avsc,
                                                         const std::vector<derived_output>& outputs);

/// The registry subject of a stream's enriched events.
[[nodiscard]] std::string enriched_subject(const std::string& stream);

} // namespace freshet::enrich
